using Wren.Storage;

namespace Wren.Data;

/// <summary>
/// The bytes of one chunk of an object, fetched window by window with ranged reads as they are consumed, so reading a
/// 64 KB chunk of a 256 MB object holds about 64 KB. Aligned to lines, a chunk owns the lines that start inside it:
/// unless it starts the object, it skips to just after the first newline at or after the byte before its offset; and
/// unless its last byte is a newline or the object's last, it reads on to the end of the line it ends in.
/// </summary>
internal sealed class ChunkStream : Stream
{
    private const int MinWindow = 64 * 1024;
    private const int MaxWindow = 4 * 1024 * 1024;

    private readonly IObjectStorage _store;
    private readonly string _key;
    private readonly long _boundary;
    private readonly long _size;
    private readonly bool _align;
    private readonly int _window;
    private readonly long _offset;

    private byte[] _buffer = [];
    private long _bufferStart;
    private long _position = -1;
    private bool _finishingLine;
    private bool _done;
    private long _read;

    public ChunkStream(IObjectStorage store, string key, long offset, long length, long objectSize, bool alignToLines)
    {
        _store = store;
        _key = key;
        _offset = offset;
        _boundary = offset + length;
        _size = objectSize;
        _align = alignToLines;
        _window = (int)Math.Clamp(length + 1, MinWindow, MaxWindow);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException("A chunk aligned to lines knows its length only once read.");
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    // A synchronous read of a remote object has to wait for it: workers run calls on pool threads, with no context to block.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override int Read(Span<byte> buffer)
    {
        byte[] rented = new byte[buffer.Length];
        int read = Read(rented, 0, rented.Length);
        rented.AsSpan(0, read).CopyTo(buffer);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_position < 0) await StartAsync(cancellationToken).ConfigureAwait(false);
        if (_done || destination.IsEmpty) return 0;
        if (!await EnsureAsync(_position, cancellationToken).ConfigureAwait(false))
        {
            _done = true;
            return 0;
        }
        int at = (int)(_position - _bufferStart);
        int available = _buffer.Length - at;
        int count;
        if (!_finishingLine)
        {
            count = (int)Math.Min(Math.Min(destination.Length, available), _boundary - _position);
            _buffer.AsMemory(at, count).CopyTo(destination);
            _position += count;
            if (_position == _boundary)
            {
                // The chunk's last byte is still in the buffer: a newline (or the object's end) closes the chunk.
                if (!_align || _boundary >= _size || _buffer[_position - 1 - _bufferStart] == (byte)'\n') _done = true;
                else _finishingLine = true;
            }
        }
        else
        {
            int span = Math.Min(destination.Length, available);
            int newline = _buffer.AsSpan(at, span).IndexOf((byte)'\n');
            count = newline >= 0 ? newline + 1 : span;
            _buffer.AsMemory(at, count).CopyTo(destination);
            _position += count;
            if (newline >= 0 || _position >= _size) _done = true;
        }
        _read += count;
        return count;
    }

    /// <summary>Finds where the chunk's first owned line starts.</summary>
    private async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_align || _offset == 0)
        {
            _position = _offset;
            _done = _offset >= _boundary;
            return;
        }
        // The line that holds byte offset-1 belongs to an earlier chunk: start after the newline that ends it.
        for (long at = _offset - 1; ; )
        {
            if (!await EnsureAsync(at, cancellationToken).ConfigureAwait(false))
            {
                _position = _size;
                _done = true;
                return;
            }
            int from = (int)(at - _bufferStart);
            int newline = _buffer.AsSpan(from).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _position = at + newline + 1;
                _done = _position >= _boundary;
                return;
            }
            at = _bufferStart + _buffer.Length;
            if (at >= _boundary)
            {
                // No line starts inside this chunk (a line longer than the chunk runs through it).
                _position = at;
                _done = true;
                return;
            }
        }
    }

    /// <summary>Makes the buffer hold <paramref name="position"/>; false at the object's end.</summary>
    private async Task<bool> EnsureAsync(long position, CancellationToken cancellationToken)
    {
        if (position >= _size) return false;
        if (position >= _bufferStart && position < _bufferStart + _buffer.Length) return true;
        long count = Math.Min(_window, _size - position);
        _buffer = await _store.GetAsync(_key, position, count, cancellationToken).ConfigureAwait(false);
        _bufferStart = position;
        return _buffer.Length > 0;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
