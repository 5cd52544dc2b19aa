using System.Globalization;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Wren.Serialization;
using Wren.Tests.Support;

namespace Wren.Tests.Serialization;

/// <summary>
/// The vectors of the npm package msgpack-test-suite (tests/interop): every encoding listed for a value decodes in Wren
/// to that value, and Wren writes the value as the first (shortest) encoding listed.
/// </summary>
[Trait("Category", "Slow")]
public sealed class MessagePackTestSuiteTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, Vector>> Suite = new(Load);

    /// <summary>One row per vector, named by its file, position and value.</summary>
    public static TheoryData<string> Vectors()
    {
        var rows = new TheoryData<string>();
        foreach (string name in Suite.Value.Keys) rows.Add(name);
        return rows;
    }

    [RequiresToolFact(InteropPackages = true)]
    public void Suite_HasEveryKindOfVector()
    {
        Assert.True(Suite.Value.Count >= 80, $"expected the 85 vectors of msgpack-test-suite 1.0.0, found {Suite.Value.Count}");
        string[] kinds = ["nil", "bool", "binary", "number", "bignum", "string", "array", "map", "timestamp", "ext"];
        foreach (string kind in kinds) Assert.Contains(Suite.Value.Values, vector => vector.Kind == kind);
        Assert.All(Suite.Value.Values, vector => Assert.NotEmpty(vector.Encodings));
    }

    [Fact]
    public void Float32_DeclaredObject_ReadsAsSingle_AndFloat64AsDouble()
    {
        // Needs no package, so that it runs everywhere: the vectors check the same for every float encoding.
        Assert.Equal(0.5f, Assert.IsType<float>(WrenSerializer.Deserialize<object?>(new byte[] { 0xca, 0x3f, 0x00, 0x00, 0x00 })));
        Assert.Equal(0.5, Assert.IsType<double>(WrenSerializer.Deserialize<object?>(new byte[] { 0xcb, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0 })));
    }

    [RequiresToolTheory(InteropPackages = true)]
    [MemberData(nameof(Vectors))]
    public void EveryEncoding_DecodesToTheValue(string vector)
    {
        Vector v = Suite.Value[vector];
        foreach (byte[] encoding in v.Encodings)
        {
            string at = $"{Hex(encoding)}";
            switch (v.Kind)
            {
                case "nil":
                    Assert.Null(WrenSerializer.Deserialize<object?>(encoding));
                    Assert.Null(WrenSerializer.Deserialize<string?>(encoding));
                    break;
                case "bool":
                    bool flag = v.Value.GetBoolean();
                    Same.Assert(flag, WrenSerializer.Deserialize<object?>(encoding), at);
                    Assert.Equal(flag, WrenSerializer.Deserialize<bool>(encoding));
                    break;
                case "binary":
                    byte[] bytes = ParseHex(v.Value.GetString()!);
                    Same.Assert(bytes, WrenSerializer.Deserialize<object?>(encoding), at);
                    Same.Assert(bytes, WrenSerializer.Deserialize<byte[]>(encoding), at);
                    break;
                case "number" or "bignum":
                    DecodeNumber(v, encoding, at);
                    break;
                case "string":
                    string text = v.Value.GetString()!;
                    Same.Assert(text, WrenSerializer.Deserialize<object?>(encoding), at);
                    Assert.Equal(text, WrenSerializer.Deserialize<string>(encoding));
                    break;
                case "array":
                    Same.Assert(Untyped(v.Value), WrenSerializer.Deserialize<object?>(encoding), at);
                    if (v.Value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.Number))
                        Assert.Equal(v.Value.EnumerateArray().Select(item => item.GetInt64()), WrenSerializer.Deserialize<long[]>(encoding));
                    break;
                case "map":
                    Same.Assert(Untyped(v.Value), WrenSerializer.Deserialize<object?>(encoding), at);
                    Same.Assert(StringKeyed(v.Value), WrenSerializer.Deserialize<Dictionary<string, object?>>(encoding), at);
                    break;
                case "timestamp":
                    DecodeTimestamp(v, encoding, at);
                    break;
                case "ext":
                    var extension = new MessagePackExtension(ExtensionType(v), ParseHex(v.Value[1].GetString()!));
                    Assert.Equal(extension, WrenSerializer.Deserialize<MessagePackExtension>(encoding));
                    Same.Assert(extension, WrenSerializer.Deserialize<object?>(encoding), at);
                    break;
                default:
                    Assert.Fail($"{vector}: unknown kind {v.Kind}");
                    break;
            }
        }
    }

    private static void DecodeNumber(Vector v, byte[] encoding, string at)
    {
        object expected = Number(v);
        object? untyped = WrenSerializer.Deserialize<object?>(encoding);
        Assert.NotNull(untyped);
        Assert.True(Same.NumbersEqual(expected, untyped), $"{at}: expected {Same.Describe(expected)}, got {Same.Describe(untyped)}");

        // Declared object: float 32 -> float, float 64 -> double, integers -> int if it fits, else long, else ulong.
        Type expectedType = encoding[0] switch
        {
            0xca => typeof(float),
            0xcb => typeof(double),
            _ => expected switch
            {
                BigInteger big when big >= int.MinValue && big <= int.MaxValue => typeof(int),
                BigInteger big when big >= long.MinValue && big <= long.MaxValue => typeof(long),
                _ => typeof(ulong),
            },
        };
        Assert.True(expectedType == untyped.GetType(), $"{at}: read as object it should be a {expectedType.Name}, not a {untyped.GetType().Name}");

        double asDouble = WrenSerializer.Deserialize<double>(encoding);
        Assert.True(Same.NumbersEqual(Same.ToDouble(expected), asDouble), $"{at}: read as double it is {asDouble:R}");
        if (expected is BigInteger whole)
        {
            if (whole >= long.MinValue && whole <= long.MaxValue) Assert.Equal((long)whole, WrenSerializer.Deserialize<long>(encoding));
            if (whole >= 0 && whole <= ulong.MaxValue) Assert.Equal((ulong)whole, WrenSerializer.Deserialize<ulong>(encoding));
            if (whole > long.MaxValue)
            {
                var error = Assert.Throws<WrenSerializationException>(() => WrenSerializer.Deserialize<long>(encoding));
                Assert.Contains("does not fit in Int64", error.Message);
            }
        }
    }

    private static void DecodeTimestamp(Vector v, byte[] encoding, string at)
    {
        (long seconds, uint nanoseconds) = (v.Value[0].GetInt64(), v.Value[1].GetUInt32());

        // Any timestamp reads as the raw extension, to the nanosecond and whatever its year.
        MessagePackExtension raw = WrenSerializer.Deserialize<MessagePackExtension>(encoding);
        Assert.Equal(-1, raw.Type);
        Assert.Equal((seconds, nanoseconds), Timestamps.Decode(raw.Data.Span));

        if (Timestamps.ToDateTime(seconds, nanoseconds) is { } time)
        {
            // DateTime counts 100 ns ticks: the nanoseconds are cut to that.
            Same.Assert(time, WrenSerializer.Deserialize<object?>(encoding), at);
            Same.Assert(time, WrenSerializer.Deserialize<DateTime>(encoding), at);
            return;
        }
        foreach (Func<object?> read in new Func<object?>[] { () => WrenSerializer.Deserialize<object?>(encoding), () => WrenSerializer.Deserialize<DateTime>(encoding) })
        {
            var error = Assert.Throws<WrenSerializationException>(read);
            Assert.Contains($"({seconds} s since 1970) is outside the years 1 to 9999 that DateTime holds", error.Message);
        }
    }

    [RequiresToolTheory(InteropPackages = true)]
    [MemberData(nameof(Vectors))]
    public void Serialize_WritesTheFirstEncoding(string vector)
    {
        Vector v = Suite.Value[vector];
        string first = Hex(v.Encodings[0]);
        switch (v.Kind)
        {
            case "nil":
                Assert.Equal(first, Hex(WrenSerializer.Serialize<object?>(null)));
                Assert.Equal(first, Hex(WrenSerializer.Serialize<string?>(null)));
                break;
            case "bool":
                Assert.Equal(first, Hex(WrenSerializer.Serialize(v.Value.GetBoolean())));
                break;
            case "binary":
                Assert.Equal(first, Hex(WrenSerializer.Serialize(ParseHex(v.Value.GetString()!))));
                break;
            case "number" or "bignum":
                SerializeNumber(v);
                break;
            case "string":
                Assert.Equal(first, Hex(WrenSerializer.Serialize(v.Value.GetString())));
                break;
            case "array":
                Assert.Equal(first, Hex(WrenSerializer.Serialize((object?[])Untyped(v.Value)!)));
                Assert.Equal(first, Hex(WrenSerializer.Serialize(Untyped(v.Value))));
                break;
            case "map":
                Assert.Equal(first, Hex(WrenSerializer.Serialize(StringKeyed(v.Value))));
                Assert.Equal(first, Hex(WrenSerializer.Serialize(Untyped(v.Value))));
                break;
            case "timestamp":
                SerializeTimestamp(v);
                break;
            case "ext":
                var extension = new MessagePackExtension(ExtensionType(v), ParseHex(v.Value[1].GetString()!));
                Assert.Equal(first, Hex(WrenSerializer.Serialize(extension)));
                Assert.Equal(first, Hex(WrenSerializer.Serialize<object?>(extension)));
                break;
            default:
                Assert.Fail($"{vector}: unknown kind {v.Kind}");
                break;
        }
    }

    private static void SerializeNumber(Vector v)
    {
        byte[] first = v.Encodings[0];
        object number = Number(v);
        if (number is BigInteger whole)
        {
            byte[] written = whole <= long.MaxValue ? WrenSerializer.Serialize((long)whole) : WrenSerializer.Serialize((ulong)whole);
            byte[] expected = first;
            if (whole >= 0 && first[0] is >= 0xd0 and <= 0xd3)
            {
                // Wren writes non-negative integers in the unsigned formats. Where the suite lists a signed encoding
                // first, Wren's is the unsigned one of the same length, which the suite lists too.
                expected = v.Encodings.Single(e => e.Length == first.Length && e[0] is >= 0xcc and <= 0xcf);
            }
            Assert.Equal(Hex(expected), Hex(written));
        }
        else
        {
            Assert.Equal(Hex(first), Hex(WrenSerializer.Serialize((double)number)));
        }

        // As a double: float 32 when that holds the value exactly, else float 64; declared object: always float 64.
        double asDouble = Same.ToDouble(number);
        byte[] typed = WrenSerializer.Serialize(asDouble);
        byte[] untyped = WrenSerializer.Serialize<object?>(asDouble);
        Assert.Equal(Hex(FloatEncoding(asDouble, allowFloat32: true)), Hex(typed));
        Assert.Equal(Hex(FloatEncoding(asDouble, allowFloat32: false)), Hex(untyped));
        foreach (byte[] listed in v.Encodings.Where(e => e[0] is 0xca or 0xcb))
        {
            byte[] ours = listed[0] == 0xca ? typed : untyped;
            if (ours[0] == listed[0]) Assert.Equal(Hex(listed), Hex(ours));
        }
    }

    private static byte[] FloatEncoding(double value, bool allowFloat32)
    {
        float narrow = (float)value;
        if (allowFloat32 && BitConverter.DoubleToInt64Bits(narrow) == BitConverter.DoubleToInt64Bits(value))
        {
            byte[] bytes = BitConverter.GetBytes(BitConverter.SingleToInt32Bits(narrow));
            if (BitConverter.IsLittleEndian) Array.Reverse(bytes);
            return [0xca, .. bytes];
        }
        byte[] wide = BitConverter.GetBytes(BitConverter.DoubleToInt64Bits(value));
        if (BitConverter.IsLittleEndian) Array.Reverse(wide);
        return [0xcb, .. wide];
    }

    private static void SerializeTimestamp(Vector v)
    {
        string first = Hex(v.Encodings[0]);
        (long seconds, uint nanoseconds) = (v.Value[0].GetInt64(), v.Value[1].GetUInt32());
        Assert.Equal(first, Hex(Timestamps.Encode(seconds, nanoseconds)));

        // The raw extension writes any timestamp exactly.
        byte[] payload = WrenSerializer.Deserialize<MessagePackExtension>(v.Encodings[0]).Data.ToArray();
        Assert.Equal(first, Hex(WrenSerializer.Serialize(new MessagePackExtension(-1, payload))));

        if (Timestamps.ToDateTime(seconds, nanoseconds) is not { } time)
        {
            // Before year 1 or after 9999: no DateTime holds it, so only the raw extension can write it (checked above).
            Assert.True(seconds is < Timestamps.MinDateTimeSeconds or > Timestamps.MaxDateTimeSeconds);
            return;
        }
        byte[] written = WrenSerializer.Serialize(time);
        if (nanoseconds % 100 == 0)
        {
            Assert.Equal(first, Hex(written));
        }
        else
        {
            // DateTime holds 100 ns ticks: Wren writes the instant it holds, the nanoseconds cut to a multiple of 100.
            Assert.Equal(Hex(Timestamps.Encode(seconds, nanoseconds - nanoseconds % 100)), Hex(written));
            Assert.NotEqual(first, Hex(written));
        }
    }

    // ---- the vectors ----

    /// <summary>One vector: its kind (the key that holds the value), the value and its encodings.</summary>
    public sealed record Vector(string Name, string Kind, JsonElement Value, byte[][] Encodings);

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] Kinds = ["nil", "bool", "binary", "bignum", "number", "string", "array", "map", "timestamp", "ext"];

    private static IReadOnlyDictionary<string, Vector> Load()
    {
        string path = Path.Combine(InteropPackages.EnsureInstalled(), "node_modules", "msgpack-test-suite", "dist", "msgpack-test-suite.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        var vectors = new Dictionary<string, Vector>();
        foreach (JsonProperty file in document.RootElement.EnumerateObject())
        {
            int index = 0;
            foreach (JsonElement entry in file.Value.EnumerateArray())
            {
                // "bignum" before "number": the bignum vectors carry both, and the string is exact.
                string kind = Kinds.FirstOrDefault(k => entry.TryGetProperty(k, out _))
                    ?? throw new InvalidOperationException($"{file.Name} entry {index} has none of the value keys {string.Join(", ", Kinds)}");
                JsonElement value = entry.GetProperty(kind).Clone();
                byte[][] encodings = [.. entry.GetProperty("msgpack").EnumerateArray().Select(e => ParseHex(e.GetString()!))];
                string shown = JsonSerializer.Serialize(value, Compact);
                if (shown.Length > 40) shown = shown[..40] + "…";
                string name = $"{file.Name} #{index}: {kind} {shown}";
                vectors.Add(name, new Vector(name, kind, value, encodings));
                index++;
            }
        }
        return vectors;
    }

    /// <summary>An integral number as a BigInteger, any other as a double.</summary>
    private static object Number(Vector v)
    {
        if (v.Kind == "bignum") return BigInteger.Parse(v.Value.GetString()!, CultureInfo.InvariantCulture);
        string raw = v.Value.GetRawText();
        return raw.Contains('.') || raw.Contains('e') || raw.Contains('E')
            ? double.Parse(raw, CultureInfo.InvariantCulture)
            : BigInteger.Parse(raw, CultureInfo.InvariantCulture);
    }

    private static sbyte ExtensionType(Vector v) => (sbyte)v.Value[0].GetInt32();

    /// <summary>
    /// The value as Wren reads it declared as object: integers as int (long when too big), other numbers as double,
    /// arrays as object?[], maps as Dictionary&lt;object, object?&gt;.
    /// </summary>
    private static object? Untyped(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt32(out int small) ? small : value.TryGetInt64(out long large) ? (object)large : value.GetDouble(),
        JsonValueKind.Array => value.EnumerateArray().Select(Untyped).ToArray(),
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(p => (object)p.Name, p => Untyped(p.Value)),
        _ => throw new ArgumentException($"unexpected JSON {value.ValueKind}"),
    };

    /// <summary>A map as Dictionary&lt;string, object?&gt;, its values as <see cref="Untyped"/> makes them.</summary>
    private static Dictionary<string, object?> StringKeyed(JsonElement map) =>
        map.EnumerateObject().ToDictionary(p => p.Name, p => Untyped(p.Value));

    private static byte[] ParseHex(string dashed) => Convert.FromHexString(dashed.Replace("-", ""));

    private static string Hex(byte[] bytes) => BitConverter.ToString(bytes).ToLowerInvariant();
}
