using Wren.Jobs;
using Wren.Serialization;

namespace Wren.Tests.Jobs;

public sealed class InputDataTests
{
    [Fact]
    public void Serialize_CutsSegmentsBetweenInputs_AndEveryInputReadsBack()
    {
        // 3,000 inputs of about 5 KB: over 14 MB, so several 4 MB segments, none of them splitting an input.
        string[] inputs = [.. Enumerable.Range(0, 3000).Select(i => new string((char)('a' + i % 26), 5000 + i % 7))];
        InputData data = InputData.Serialize(inputs);

        Assert.Equal(3000, data.Count);
        Assert.Equal(inputs.Sum(s => (long)WrenSerializer.Serialize(s).Length), data.TotalBytes);
        for (int i = 0; i < inputs.Length; i++) Assert.Equal(inputs[i], WrenSerializer.Deserialize<string>(data.Input(i).ToArray()));

        using var whole = new MemoryStream();
        data.OpenRead().CopyTo(whole);
        byte[] bytes = whole.ToArray();
        Assert.Equal(data.TotalBytes, bytes.Length);
        // Each input lies at its offset in the inputs read as one sequence.
        foreach (int i in new[] { 0, 1, 838, 839, 840, 1677, 2999 })
            Assert.Equal(inputs[i], WrenSerializer.Deserialize<string>(bytes.AsSpan((int)data.Offset(i), data.Length(i)).ToArray()));
    }

    [Fact]
    public void Gather_CopiesRunsAcrossSegments_AndSubsetKeepsTheChosenInputs()
    {
        string[] inputs = [.. Enumerable.Range(0, 2000).Select(i => $"{i}:" + new string('x', 4000))];
        InputData data = InputData.Serialize(inputs);
        int[] calls = [5, 6, 7, 1040, 1041, 1042, 1043, 3, 1999];

        byte[] gathered = data.Gather(calls);
        int at = 0;
        foreach (int call in calls)
        {
            Assert.Equal(inputs[call], WrenSerializer.Deserialize<string>(gathered.AsSpan(at, data.Length(call)).ToArray()));
            at += data.Length(call);
        }
        Assert.Equal(gathered.Length, at);

        InputData subset = data.Subset(calls);
        Assert.Equal(calls.Select(c => inputs[c]), Enumerable.Range(0, subset.Count).Select(i => WrenSerializer.Deserialize<string>(subset.Input(i).ToArray())));
    }

    [Fact]
    public void Serialize_Primitives_WritesTheSerializersBytes_InSegmentsCutBetweenInputs()
    {
        // 1,000,000 doubles that need all nine bytes: over 8 MB, so three segments.
        var random = new Random(7);
        double[] doubles = [.. Enumerable.Range(0, 1_000_000).Select(_ => random.NextDouble())];
        InputData data = InputData.Serialize<double>(doubles);
        Assert.Equal(9L * doubles.Length, data.TotalBytes);
        using var whole = new MemoryStream();
        data.OpenRead().CopyTo(whole);
        byte[] bytes = whole.ToArray();
        int cut = InputData.SegmentBytes / 9;
        foreach (int i in new[] { 0, 1, cut - 1, cut, cut + 1, 2 * cut, 999_999 })
        {
            Assert.Equal(WrenSerializer.Serialize(doubles[i]), data.Input(i).ToArray());
            Assert.Equal(data.Input(i).ToArray(), bytes.AsSpan((int)data.Offset(i), data.Length(i)).ToArray());
        }
        // A run across the cut is copied from both segments.
        int[] across = [cut - 2, cut - 1, cut, cut + 1];
        Assert.Equal(across.SelectMany(i => WrenSerializer.Serialize(doubles[i])), data.Gather(across));

        // Every other primitive, at its edges, as the serializer writes it one by one.
        int[] ints = [0, 1, 127, 128, 255, 256, 65_535, 65_536, int.MaxValue, -1, -32, -33, -128, -129, int.MinValue];
        long[] longs = [0, 127, 128, uint.MaxValue, (long)uint.MaxValue + 1, long.MaxValue, -33, int.MinValue, (long)int.MinValue - 1, long.MinValue];
        float[] floats = [0f, -0f, 1.5f, float.NaN, float.PositiveInfinity, float.Epsilon, float.MaxValue];
        bool[] bools = [true, false, true];
        AssertSameBytes(ints);
        AssertSameBytes(longs);
        AssertSameBytes(floats);
        AssertSameBytes(bools);
        AssertSameBytes<double>([0.0, 0.5, 0.1, double.NaN, double.NegativeInfinity, double.Epsilon, 1e300]);
        Assert.Equal(0, InputData.Serialize<int>([]).Count);

        static void AssertSameBytes<T>(T[] values)
        {
            InputData data = InputData.Serialize<T>(values);
            Assert.Equal(values.Select(v => WrenSerializer.Serialize(v)), Enumerable.Range(0, values.Length).Select(i => data.Input(i).ToArray()));
            Assert.Equal(values.SelectMany(v => WrenSerializer.Serialize(v)), data.Gather([.. Enumerable.Range(0, values.Length)]));
        }
    }

    [Fact]
    public void Serialize_AnInputLargerThanASegment_HasASegmentOfItsOwn()
    {
        byte[][] inputs = [[1, 2, 3], new byte[InputData.SegmentBytes + 100], [4, 5]];
        InputData data = InputData.Serialize(inputs);
        Assert.Equal(inputs, Enumerable.Range(0, 3).Select(i => WrenSerializer.Deserialize<byte[]>(data.Input(i).ToArray())));
        Assert.Equal(data.Offset(1) + data.Length(1), data.Offset(2));
    }

    [Fact]
    public void Serialize_AnInputThatCannotTravel_NamesItsIndex()
    {
        var error = Assert.Throws<WrenSerializationException>(() => InputData.Serialize(new object[] { 1, new MemoryStream() }));
        Assert.Contains("inputs[1]", error.Message);
    }

    [Fact]
    public void AutomaticChunkSize_KeepsAChunksInputsUnder16MB()
    {
        Assert.Equal(2000, JobSpec.AutomaticChunkSize(100_000, 4, 2));
        Assert.Equal(16, JobSpec.AutomaticChunkSize(2_200, 4, 2, 2_200L << 20));
        Assert.Equal(1, JobSpec.AutomaticChunkSize(3, 4, 2, 3L * (64 << 20)));
    }

    [Fact]
    public void ChunkSizes_ShrinkFromTheLargestToTheBalancedSize_AndAddUpToTheCalls()
    {
        // The local backend's Map of 100,000: two workers with two invocations each, two chunks per slot.
        int[] sizes = [.. JobSpec.ChunkSizes(100_000, 2000, 10_000, 8)];
        Assert.Equal(100_000, sizes.Sum());
        Assert.Equal([10_000, 10_000, 10_000, 8750], sizes[..4]);
        Assert.Equal([2014, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 97], sizes[^9..]);
        Assert.True(sizes.Zip(sizes.Skip(1)).All(pair => pair.First >= pair.Second), string.Join(", ", sizes));
        Assert.Equal(23, sizes.Length);
        // Without room above the balanced size, every chunk is that size, the last one what is left.
        Assert.Equal([2000, 2000, 1000], JobSpec.ChunkSizes(5000, 2000, 2000, 8));
        Assert.Equal([2000, 2000, 1000], JobSpec.ChunkSizes(5000, 2000, 500, 8));
        // A small Map is not changed: its balanced size is already a share of it.
        Assert.Equal([250, 250, 250, 250], JobSpec.ChunkSizes(1000, 250, 10_000, 8));
        Assert.Empty(JobSpec.ChunkSizes(0, 1, 10_000, 8));
    }

    [Fact]
    public void LargestAutomaticChunk_KeepsItsInputsUnder16MB()
    {
        Assert.Equal(10_000, JobSpec.LargestAutomaticChunk(100_000, 10_000, 300_000));
        Assert.Equal(16, JobSpec.LargestAutomaticChunk(2_200, 10_000, 2_200L << 20));
        Assert.Equal(2000, JobSpec.LargestAutomaticChunk(100_000, 2000, 0));
    }
}
