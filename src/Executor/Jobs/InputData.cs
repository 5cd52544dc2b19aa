using System.Buffers;
using System.Runtime.CompilerServices;
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
    private readonly int[] _segmentOf;
    private readonly int[] _start;
    private readonly int[] _lengths;
    private readonly long[] _segmentOffsets;

    private InputData(List<byte[]> segments, int[] segmentOf, int[] start, int[] lengths)
    {
        _segments = segments;
        _segmentOf = segmentOf;
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
    public long Offset(int index) => _segmentOffsets[_segmentOf[index]] + _start[index];

    public ReadOnlySpan<byte> Input(int index) => _segments[_segmentOf[index]].AsSpan(_start[index], _lengths[index]);

    /// <summary>Serializes every input; one that cannot travel fails with its index in the path, before anything is sent.</summary>
    // Optimized at its first call rather than through the JIT's tiers: it runs once per call of every Map, and being
    // generic over the user's types it is not among the ahead-of-time compiled code (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static InputData Serialize<T>(IReadOnlyList<T> inputs)
    {
        var segments = new List<byte[]>();
        int[] segmentOf = new int[inputs.Count], start = new int[inputs.Count], lengths = new int[inputs.Count];
        var writer = new ArrayBufferWriter<byte>(Math.Clamp(inputs.Count * 8, 256, SegmentBytes));
        for (int i = 0; i < inputs.Count; i++)
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
            }
            segmentOf[i] = segments.Count;
            start[i] = before;
            lengths[i] = length;
        }
        if (writer.WrittenCount > 0 || segments.Count == 0) segments.Add(writer.WrittenSpan.ToArray());
        return new InputData(segments, segmentOf, start, lengths);
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
            // A run of inputs next to each other in one segment is copied at once.
            int run = 1;
            while (i + run < calls.Count && calls[i + run] == call + run && _segmentOf[call + run] == _segmentOf[call]) run++;
            int last = call + run - 1;
            int bytes = _start[last] + _lengths[last] - _start[call];
            _segments[_segmentOf[call]].AsSpan(_start[call], bytes).CopyTo(gathered.AsSpan(at));
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
        return new InputData([bytes], new int[calls.Count], start, lengths);
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
