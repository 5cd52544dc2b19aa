using Wren.Storage;

namespace Wren.Data;

/// <summary>
/// The bytes of one chunk of an object, read from storage as they are consumed: the chunk's body is one streamed
/// ranged read, and the line edges small ranged reads around it, so reading a 64 KB chunk of a 256 MB object holds a
/// few buffers, never the object. Aligned to lines, a chunk owns the lines that start inside it: unless it starts the
/// object, it begins just after the first newline at or after the byte before its offset; and unless its last byte is a
/// newline or the object's last, it reads on to the end of the line it ends in.
/// </summary>
internal sealed class ChunkStream(IObjectStorage store, string key, long offset, long length, long objectSize, bool alignToLines) : Stream
{
    private const int FirstEdgeWindow = 4 * 1024;
    private const int MaxEdgeWindow = 4 * 1024 * 1024;

    private readonly long _boundary = offset + length;
    private Stream? _body;
    private bool _started;
    private bool _inTail;
    private bool _done;
    private byte _last = (byte)'\n';
    private long _tailPosition;
    private byte[] _edge = [];
    private int _edgeAt;
    private int _edgeWindow = FirstEdgeWindow;
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException("A chunk aligned to lines knows its length only once read.");
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    // A synchronous read of a remote object has to wait for it: workers run calls on pool threads, with no context to block.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (!_started) await StartAsync(cancellationToken).ConfigureAwait(false);
        while (!_done && !destination.IsEmpty)
        {
            int count = _inTail ? await ReadTailAsync(destination, cancellationToken).ConfigureAwait(false) : await ReadBodyAsync(destination, cancellationToken).ConfigureAwait(false);
            if (count > 0)
            {
                _read += count;
                return count;
            }
        }
        return 0;
    }

    private async Task<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int count = await _body!.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        if (count > 0)
        {
            _last = destination.Span[count - 1];
            return count;
        }
        // The body is read: a chunk that ends inside a line reads on to its end.
        await _body.DisposeAsync().ConfigureAwait(false);
        _body = null;
        if (alignToLines && _boundary < objectSize && _last != (byte)'\n')
        {
            _inTail = true;
            _tailPosition = _boundary;
        }
        else
        {
            _done = true;
        }
        return 0;
    }

    private async Task<int> ReadTailAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_edgeAt >= _edge.Length)
        {
            if (_tailPosition >= objectSize)
            {
                _done = true;
                return 0;
            }
            await FetchEdgeAsync(_tailPosition, cancellationToken).ConfigureAwait(false);
            _tailPosition += _edge.Length;
        }
        ReadOnlySpan<byte> available = _edge.AsSpan(_edgeAt, Math.Min(destination.Length, _edge.Length - _edgeAt));
        int newline = available.IndexOf((byte)'\n');
        int count = newline >= 0 ? newline + 1 : available.Length;
        available[..count].CopyTo(destination.Span);
        _edgeAt += count;
        if (newline >= 0) _done = true;
        return count;
    }

    /// <summary>Finds where the chunk's first owned line starts, and opens the body from there to the chunk's end.</summary>
    private async Task StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        long start = offset;
        if (alignToLines && offset > 0)
        {
            // The line that holds byte offset-1 belongs to an earlier chunk: start after the newline that ends it.
            start = -1;
            for (long at = offset - 1; at < _boundary && start < 0; at += _edge.Length)
            {
                await FetchEdgeAsync(at, cancellationToken).ConfigureAwait(false);
                int newline = _edge.AsSpan().IndexOf((byte)'\n');
                if (newline >= 0) start = at + newline + 1;
            }
            _edge = [];
            _edgeAt = 0;
            _edgeWindow = FirstEdgeWindow;
        }
        if (start < 0 || start >= _boundary)
        {
            // No line starts inside this chunk: one longer than the chunk runs through it.
            _done = true;
            return;
        }
        _body = await store.OpenReadAsync(key, start, _boundary - start, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the next edge window at <paramref name="position"/>, each twice the last, up to 4 MB.</summary>
    private async Task FetchEdgeAsync(long position, CancellationToken cancellationToken)
    {
        long count = Math.Min(_edgeWindow, objectSize - position);
        _edge = count <= 0 ? [] : await store.GetAsync(key, position, count, cancellationToken).ConfigureAwait(false);
        _edgeAt = 0;
        _edgeWindow = Math.Min(_edgeWindow * 2, MaxEdgeWindow);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _body?.Dispose();
        base.Dispose(disposing);
    }
}
