using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Wren.Serialization;

namespace Wren.Jobs;

/// <summary>
/// A Map's inputs, serialized, in segments of about <see cref="SegmentBytes"/>: no single array holds them all, so a
/// Map's inputs may total more than 2 GB, and 10 million small inputs cost one offset and one length each. An input
/// never spans two segments (one larger than a segment has a segment of its own). Read as one byte sequence
/// (<see cref="OpenRead"/>), the inputs lie one after another at <see cref="Offset"/>.
/// </summary>
internal sealed class InputData
{
    /// <summary>The size a segment is cut at: large enough that a chunk's inputs are a few copies, small enough to allocate easily.</summary>
    public const int SegmentBytes = 4 * 1024 * 1024;

    private readonly List<byte[]> _segments;
    // The first input of each segment (the inputs of a segment are the ones up to the next's first): a Map's inputs
    // mostly fit one segment, and an array naming each input's segment was 400 KB per 100,000 inputs.
    private readonly int[] _firstInputs;
    private readonly int[] _start;
    private readonly int[] _lengths;
    private readonly long[] _segmentOffsets;

    private InputData(List<byte[]> segments, int[] firstInputs, int[] start, int[] lengths)
    {
        _segments = segments;
        _firstInputs = firstInputs;
        _start = start;
        _lengths = lengths;
        _segmentOffsets = new long[segments.Count + 1];
        for (int i = 0; i < segments.Count; i++) _segmentOffsets[i + 1] = _segmentOffsets[i] + segments[i].Length;
    }

    /// <summary>How many inputs there are.</summary>
    public int Count => _lengths.Length;

    /// <summary>All the inputs' bytes.</summary>
    public long TotalBytes => _segmentOffsets[^1];

    /// <summary>The length of each input.</summary>
    public int[] Lengths => _lengths;

    public int Length(int index) => _lengths[index];

    /// <summary>Where input <paramref name="index"/> starts in the inputs read as one sequence.</summary>
    public long Offset(int index) => _segmentOffsets[SegmentOf(index)] + _start[index];

    public ReadOnlySpan<byte> Input(int index) => _segments[SegmentOf(index)].AsSpan(_start[index], _lengths[index]);

    private int SegmentOf(int index)
    {
        if (_firstInputs.Length == 1) return 0;
        int found = Array.BinarySearch(_firstInputs, index);
        return found >= 0 ? found : ~found - 1;
    }

    /// <summary>Serializes every input; one that cannot travel fails with its index in the path, before anything is sent.</summary>
    // Optimized at its first call rather than through the JIT's tiers: it runs once per call of every Map, and being
    // generic over the user's types it is not among the ahead-of-time compiled code (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static InputData Serialize<T>(ReadOnlySpan<T> inputs)
    {
        if (PrimitiveValues.Handles<T>()) return SerializePrimitives(inputs);
        var segments = new List<byte[]>();
        var firstInputs = new List<int> { 0 };
        int[] start = new int[inputs.Length], lengths = new int[inputs.Length];
        var writer = new ArrayBufferWriter<byte>(Math.Clamp(inputs.Length * 8, 256, SegmentBytes));
        for (int i = 0; i < inputs.Length; i++)
        {
            int before = writer.WrittenCount;
            try
            {
                WrenSerializer.Serialize(writer, inputs[i]);
            }
            catch (WrenSerializationException e)
            {
                throw e.WithRoot($"inputs[{i}]");
            }
            int length = writer.WrittenCount - before;
            if (before > 0 && writer.WrittenCount > SegmentBytes)
            {
                // This input would cross the cut: the inputs before it make a segment, and it starts the next.
                segments.Add(writer.WrittenSpan[..before].ToArray());
                byte[] tail = writer.WrittenSpan[before..].ToArray();
                writer.ResetWrittenCount();
                writer.Write(tail);
                before = 0;
                firstInputs.Add(i);
            }
            start[i] = before;
            lengths[i] = length;
        }
        if (writer.WrittenCount > 0 || segments.Count == 0) segments.Add(writer.WrittenSpan.ToArray());
        return new InputData(segments, [.. firstInputs], start, lengths);
    }

    /// <summary>
    /// Inputs that are one of the <see cref="PrimitiveValues"/> (the bytes their formatters write), encoded straight into
    /// segments allocated at their size: first each input's length, then its bytes. The serializer's entry point per
    /// input (two calls through <see cref="IBufferWriter{T}"/> each) and a growing buffer copied out at the end had
    /// cost 1.2 to 1.6 ms for 100,000 ints, before the first invocation could go out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static InputData SerializePrimitives<T>(ReadOnlySpan<T> inputs)
    {
        int[] start = new int[inputs.Length], lengths = new int[inputs.Length];
        var sizes = new List<int>();
        var firstInputs = new List<int> { 0 };
        Span<byte> scratch = stackalloc byte[PrimitiveValues.MaxBytes];
        int size = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            int length = PrimitiveValues.Write(ref MemoryMarshal.GetReference(scratch), inputs[i]);
            if (size + length > SegmentBytes)
            {
                sizes.Add(size);
                size = 0;
                firstInputs.Add(i);
            }
            start[i] = size;
            lengths[i] = length;
            size += length;
        }
        sizes.Add(size);
        var segments = new List<byte[]>(sizes.Count);
        foreach (int bytes in sizes) segments.Add(GC.AllocateUninitializedArray<byte>(bytes));
        for (int segment = 0; segment < segments.Count; segment++)
        {
            byte[] bytes = segments[segment];
            int end = segment + 1 < firstInputs.Count ? firstInputs[segment + 1] : inputs.Length;
            // The encoders write exactly the length measured above, which is the room left for it.
            for (int i = firstInputs[segment]; i < end; i++) PrimitiveValues.Write(ref bytes[start[i]], inputs[i]);
        }
        return new InputData(segments, [.. firstInputs], start, lengths);
    }

    /// <summary>The inputs of <paramref name="calls"/>, one after another, in a new array.</summary>
    public byte[] Gather(IReadOnlyList<int> calls)
    {
        long total = 0;
        foreach (int call in calls) total += _lengths[call];
        byte[] gathered = GC.AllocateUninitializedArray<byte>(checked((int)total));
        int at = 0;
        for (int i = 0; i < calls.Count; i++)
        {
            int call = calls[i];
            // A run of inputs next to each other in one segment is copied at once (an input that starts where the one
            // before it ends is in its segment: a new segment starts at 0, and no input is empty).
            int run = 1;
            while (i + run < calls.Count && calls[i + run] == call + run && _start[call + run] == _start[call + run - 1] + _lengths[call + run - 1]) run++;
            int last = call + run - 1;
            int bytes = _start[last] + _lengths[last] - _start[call];
            _segments[SegmentOf(call)].AsSpan(_start[call], bytes).CopyTo(gathered.AsSpan(at));
            at += bytes;
            i += run - 1;
        }
        return gathered;
    }

    /// <summary>Some of the inputs, as inputs of their own.</summary>
    public InputData Subset(IReadOnlyList<int> calls)
    {
        byte[] bytes = Gather(calls);
        int[] start = new int[calls.Count], lengths = new int[calls.Count];
        for (int i = 0, at = 0; i < calls.Count; at += lengths[i], i++)
        {
            start[i] = at;
            lengths[i] = _lengths[calls[i]];
        }
        return new InputData([bytes], [0], start, lengths);
    }

    /// <summary>The inputs as one sequence of bytes, segment after segment, for storing them whole.</summary>
    public Stream OpenRead() => new SegmentStream(_segments, TotalBytes);

    /// <summary>A read-only stream over the segments in order.</summary>
    private sealed class SegmentStream(List<byte[]> segments, long length) : Stream
    {
        private int _segment;
        private int _at;
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_segment < segments.Count && _at == segments[_segment].Length)
            {
                _segment++;
                _at = 0;
            }
            if (_segment == segments.Count || buffer.Length == 0) return 0;
            int count = Math.Min(buffer.Length, segments[_segment].Length - _at);
            segments[_segment].AsSpan(_at, count).CopyTo(buffer);
            _at += count;
            _position += count;
            return count;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
