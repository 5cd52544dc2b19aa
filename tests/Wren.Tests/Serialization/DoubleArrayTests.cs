using System.Buffers;
using System.Buffers.Binary;
using Wren.Serialization;

namespace Wren.Tests.Serialization;

/// <summary>
/// The fast paths for arrays of doubles: float64 runs read in one pass around other encodings, and a large double[]
/// converted straight into the output (into a byte[] or, in chunks, into an <see cref="IBufferWriter{T}"/>).
/// </summary>
public sealed class DoubleArrayTests
{
    public sealed record Holder(string Before, double[] First, List<double> Small, double[] Second, int After);

    private static double[] Doubles(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (random.NextDouble() - 0.5) * 1e6)];
    }

    [Theory]
    [InlineData(3)]
    [InlineData(3_640)]
    [InlineData(3_641)]
    [InlineData(100_003)]
    public void DoubleArray_IsTheSameBytesAsAListOfTheSameValues(int count)
    {
        // 3,641 values (32,769 bytes) and more are converted into the output at the end; a list never is.
        double[] values = Doubles(count, seed: count);
        byte[] fromArray = WrenSerializer.Serialize(values);
        Assert.Equal(WrenSerializer.Serialize(values.ToList()), fromArray);
        Assert.Equal(0xcb, fromArray[^9]);
        Assert.Equal(values[^1], BinaryPrimitives.ReadDoubleBigEndian(fromArray.AsSpan(fromArray.Length - 8)));
    }

    [Fact]
    public void LargeArraysBetweenOtherMembers_RoundTrip_ThroughAByteArrayAndThroughSmallBufferWriterChunks()
    {
        var holder = new Holder("before", Doubles(50_001, seed: 1), [1.5, 2.5], Doubles(40_000, seed: 2), 77);
        byte[] bytes = WrenSerializer.Serialize(holder);

        var chunks = new SmallChunkWriter(chunkSize: 1_000);
        WrenSerializer.Serialize(chunks, holder);
        Assert.Equal(bytes, chunks.Written.ToArray());

        Holder back = WrenSerializer.Deserialize<Holder>(bytes);
        Assert.Equal(("before", 77), (back.Before, back.After));
        Assert.Equal(holder.First, back.First);
        Assert.Equal(holder.Small, back.Small);
        Assert.Equal(holder.Second, back.Second);
    }

    [Fact]
    public void BufferWriterThatHandsOutLessThanAValue_StillGetsTheSameBytes()
    {
        double[] values = Doubles(5_000, seed: 3);
        var chunks = new SmallChunkWriter(chunkSize: 4);
        WrenSerializer.Serialize(chunks, values);
        Assert.Equal(WrenSerializer.Serialize(values), chunks.Written.ToArray());
    }

    [Fact]
    public void MixedEncodings_ReadIntoDoubleArraysAndLists()
    {
        // Another writer's array: float64 runs of several lengths broken by float32, integers of every size and nil-free
        // numbers, so that the runs start and stop inside and across the vector blocks.
        var expected = new List<double>();
        var writer = new ArrayBufferWriter<byte>();
        void Float64(double value)
        {
            Span<byte> span = writer.GetSpan(9);
            span[0] = 0xcb;
            BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
            writer.Advance(9);
            expected.Add(value);
        }
        void Other(byte[] encoded, double value)
        {
            writer.Write(encoded);
            expected.Add(value);
        }
        var random = new Random(5);
        for (int run = 0; run < 40; run++)
        {
            for (int i = 0; i < run % 11; i++) Float64((random.NextDouble() - 0.5) * 1e9);
            switch (run % 5)
            {
                case 0: Other([0xca, 0x3f, 0xc0, 0x00, 0x00], 1.5); break; // float 32
                case 1: Other([0x07], 7); break; // positive fixint
                case 2: Other([0xd1, 0xfc, 0x18], -1000); break; // int 16
                case 3: Other([0xcf, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], 9007199254740992); break; // uint 64
                default: Other([0xe0], -32); break; // negative fixint
            }
        }
        for (int i = 0; i < 37; i++) Float64(i * 0.25);
        byte[] bytes = [0xdc, .. BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness((ushort)expected.Count)), .. writer.WrittenSpan];

        Assert.Equal(expected, WrenSerializer.Deserialize<double[]>(bytes));
        Assert.Equal(expected, WrenSerializer.Deserialize<List<double>>(bytes));
    }

    [Fact]
    public void NonNumberInAFloat64Run_FailsWithItsIndex()
    {
        byte[] bytes = WrenSerializer.Serialize(Doubles(20, seed: 6));
        int header = bytes.Length - 20 * 9;
        bytes[header + 13 * 9] = 0xa1; // element 13 becomes a one-byte string
        var error = Assert.Throws<WrenSerializationException>(() => WrenSerializer.Deserialize<double[]>(bytes));
        Assert.StartsWith("value[13]: expected a number but found a string", error.Message);
    }

    [Fact]
    public void SequenceSplitInsideRecords_ReadsTheSameValues()
    {
        double[] values = Doubles(10_000, seed: 7);
        byte[] bytes = WrenSerializer.Serialize(values);
        // Segments of 1,000 bytes: nine bytes a value, so most boundaries fall inside a value.
        ReadOnlySequence<byte> sequence = Segments(bytes, 1_000);
        Assert.False(sequence.IsSingleSegment);
        Assert.Equal(values, WrenSerializer.Deserialize<double[]>(sequence));
    }

    private static ReadOnlySequence<byte> Segments(byte[] bytes, int size)
    {
        var first = new Segment(bytes.AsMemory(0, Math.Min(size, bytes.Length)), 0);
        Segment last = first;
        for (int at = size; at < bytes.Length; at += size) last = last.Append(bytes.AsMemory(at, Math.Min(size, bytes.Length - at)));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>A buffer writer that hands out at most <c>chunkSize</c> bytes at a time, whatever it is asked for.</summary>
    private sealed class SmallChunkWriter(int chunkSize) : IBufferWriter<byte>
    {
        private readonly ArrayBufferWriter<byte> _inner = new();

        public ReadOnlyMemory<byte> Written => _inner.WrittenMemory;

        public void Advance(int count) => _inner.Advance(count);

        public Memory<byte> GetMemory(int sizeHint = 0) => _inner.GetMemory(chunkSize)[..chunkSize];

        public Span<byte> GetSpan(int sizeHint = 0) => _inner.GetSpan(chunkSize)[..chunkSize];
    }
}
