using System.Collections;
using System.Runtime.CompilerServices;
using Wren.Serialization;

namespace Wren.Tests.Serialization;

/// <summary>Round trips of values generated at random from fixed seeds, so a failure always reproduces.</summary>
public sealed class RandomRoundTripTests
{
    public sealed record Sample(
        int Id,
        string? Label,
        double[] Readings,
        List<Sample> Children,
        Dictionary<string, long> Counters,
        Color Color,
        DateTime Stamp,
        decimal Price,
        (int, string) Pair,
        int? Maybe,
        object? Anything);

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 25)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomUntypedTree_RoundTrips(int seed)
    {
        var random = new Random(seed);
        object? value = RandomObject(random, depth: 0);
        byte[] bytes = WrenSerializer.Serialize(value);
        object? copy = WrenSerializer.Deserialize<object>(bytes);
        AssertDeepEqual(value, copy, "value");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomRecord_RoundTrips(int seed)
    {
        var random = new Random(seed);
        Sample value = RandomSample(random, depth: 0);
        foreach (bool raw in new[] { true, false })
        {
            var options = new WrenSerializerOptions { RawBlocks = raw };
            Sample copy = WrenSerializer.Deserialize<Sample>(WrenSerializer.Serialize(value, options), options);
            AssertDeepEqual(value, copy, "value");
        }
    }

    private static Sample RandomSample(Random random, int depth) => new(
        random.Next(),
        random.Next(4) == 0 ? null : RandomString(random),
        [.. Enumerable.Range(0, random.Next(20)).Select(_ => random.NextDouble() * random.Next(-1000, 1000))],
        depth < 3 ? [.. Enumerable.Range(0, random.Next(3)).Select(_ => RandomSample(random, depth + 1))] : [],
        Enumerable.Range(0, random.Next(5)).ToDictionary(i => $"k{i}-{RandomString(random)}", _ => random.NextInt64(long.MinValue, long.MaxValue)),
        (Color)random.Next(3),
        new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc),
        new decimal(random.Next(), random.Next(), random.Next(), random.Next(2) == 0, (byte)random.Next(29)),
        (random.Next(), RandomString(random)),
        random.Next(2) == 0 ? null : random.Next(),
        RandomObject(random, depth + 2));

    private static string RandomString(Random random)
    {
        const string alphabet = "abcXYZ019 -_Ωж漢🍺";
        int length = random.Next(0, 40);
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < length; i++)
        {
            int index = random.Next(alphabet.Length);
            if (char.IsHighSurrogate(alphabet[index])) text.Append(alphabet, index, 2);
            else if (!char.IsLowSurrogate(alphabet[index])) text.Append(alphabet[index]);
        }
        return text.ToString();
    }

    private static object? RandomObject(Random random, int depth)
    {
        int choice = random.Next(depth >= 4 ? 9 : 12);
        return choice switch
        {
            0 => null,
            1 => random.Next(2) == 0,
            2 => random.Next(int.MinValue, int.MaxValue),
            3 => random.NextInt64(long.MinValue, long.MaxValue),
            4 => random.NextDouble() * 1e6,
            5 => RandomString(random),
            6 => Enumerable.Range(0, random.Next(10)).Select(_ => (byte)random.Next(256)).ToArray(),
            7 => new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc),
            8 => Guid.NewGuid(),
            9 => Enumerable.Range(0, random.Next(6)).Select(_ => RandomObject(random, depth + 1)).ToArray(),
            10 => Enumerable.Range(0, random.Next(6)).ToDictionary(i => (object)$"key{i}", _ => RandomObject(random, depth + 1)),
            _ => Enumerable.Range(0, random.Next(6)).Select(_ => random.Next()).ToList(),
        };
    }

    private static void AssertDeepEqual(object? expected, object? actual, string path)
    {
        if (expected is null)
        {
            Assert.True(actual is null, $"{path}: expected null, got {actual}");
            return;
        }
        Assert.True(actual is not null, $"{path}: expected {expected}, got null");
        Assert.True(expected.GetType() == actual.GetType(), $"{path}: expected a {expected.GetType()}, got a {actual.GetType()}");
        switch (expected)
        {
            case string or ValueType when expected is not ITuple:
                Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
                break;
            case IDictionary map:
                var other = (IDictionary)actual;
                Assert.Equal(map.Count, other.Count);
                foreach (DictionaryEntry entry in map) AssertDeepEqual(entry.Value, other[entry.Key], $"{path}[{entry.Key}]");
                break;
            case IEnumerable sequence:
                object?[] left = [.. sequence.Cast<object?>()];
                object?[] right = [.. ((IEnumerable)actual).Cast<object?>()];
                Assert.True(left.Length == right.Length, $"{path}: expected {left.Length} elements, got {right.Length}");
                for (int i = 0; i < left.Length; i++) AssertDeepEqual(left[i], right[i], $"{path}[{i}]");
                break;
            case ITuple tuple:
                for (int i = 0; i < tuple.Length; i++) AssertDeepEqual(tuple[i], ((ITuple)actual)[i], $"{path}.Item{i + 1}");
                break;
            default:
                foreach (var property in expected.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract"))
                    AssertDeepEqual(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
                break;
        }
    }
}
