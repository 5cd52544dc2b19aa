using System.Net.Sockets;
using System.Text;

namespace Wren.Backends.Local;

/// <summary>
/// Just enough HTTP/1.1 for the Runtime API on loopback: requests with a Content-Length body, keep-alive, plain
/// responses. The only client is Wren's own worker.
/// </summary>
internal sealed class HttpExchange(NetworkStream stream)
{
    private readonly byte[] _buffer = new byte[64 * 1024];

    private int _start;
    private int _end;

    public sealed record Request(string Method, string Path, Dictionary<string, string> Headers, byte[] Body);

    /// <summary>Reads the next request, or null when the connection closed.</summary>
    public async Task<Request?> ReadAsync(CancellationToken cancellationToken)
    {
        int headerEnd;
        while ((headerEnd = FindHeaderEnd()) < 0)
        {
            int read = await stream.ReadAsync(RoomToRead(), cancellationToken).ConfigureAwait(false);
            if (read == 0) return null;
            _end += read;
        }
        (string method, string path, Dictionary<string, string> headers, byte[] body, int buffered) = ParseHead(headerEnd);
        if (buffered < body.Length) await stream.ReadExactlyAsync(body.AsMemory(buffered), cancellationToken).ConfigureAwait(false);
        return new Request(method, path, headers, body);
    }

    /// <summary>Reads the next request on this thread, blocking until it has come, or null when the connection closed.</summary>
    public Request? Read()
    {
        int headerEnd;
        while ((headerEnd = FindHeaderEnd()) < 0)
        {
            int read = stream.Read(RoomToRead().Span);
            if (read == 0) return null;
            _end += read;
        }
        return Take(headerEnd);
    }

    /// <summary>
    /// The next request if it is here already or its head comes within <paramref name="spin"/>, else null (and what
    /// came of it stays buffered for <see cref="Read"/>): for a client that sends its next request right behind this one.
    /// </summary>
    public Request? ReadSoon(TimeSpan spin)
    {
        long until = Protocol.SocketSpin.Deadline(spin);
        int headerEnd;
        while ((headerEnd = FindHeaderEnd()) < 0)
        {
            if (!Protocol.SocketSpin.UntilReadable(stream.Socket, until)) return null;
            // Bytes are there: this read does not block.
            int read = stream.Read(RoomToRead().Span);
            if (read == 0) return null;
            _end += read;
        }
        return Take(headerEnd);
    }

    private Request Take(int headerEnd)
    {
        (string method, string path, Dictionary<string, string> headers, byte[] body, int buffered) = ParseHead(headerEnd);
        if (buffered < body.Length) stream.ReadExactly(body.AsSpan(buffered));
        return new Request(method, path, headers, body);
    }

    private Memory<byte> RoomToRead()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) throw new IOException("The request headers are larger than 64 KB.");
        return _buffer.AsMemory(_end);
    }

    /// <summary>Parses the head that ends at <paramref name="headerEnd"/> and takes what of the body is buffered already.</summary>
    private (string Method, string Path, Dictionary<string, string> Headers, byte[] Body, int Buffered) ParseHead(int headerEnd)
    {
        string head = Encoding.ASCII.GetString(_buffer, _start, headerEnd - _start);
        _start = headerEnd + 4;
        string[] lines = head.Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        if (requestLine.Length < 2) throw new IOException($"Malformed request line '{lines[0]}'.");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        int length = headers.TryGetValue("Content-Length", out string? text) ? int.Parse(text) : 0;
        byte[] body = new byte[length];
        int buffered = Math.Min(length, _end - _start);
        Buffer.BlockCopy(_buffer, _start, body, 0, buffered);
        _start += buffered;
        return (requestLine[0], requestLine[1], headers, body, buffered);
    }

    private int FindHeaderEnd() => _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8) is var index and >= 0 ? _start + index : -1;

    public async Task WriteAsync(int status, IEnumerable<KeyValuePair<string, string>> headers, byte[] body, CancellationToken cancellationToken)
    {
        byte[] head = Head(status, headers, body.Length);
        // As Write does (Protocol.GatheringSend), without blocking: one gathering write, and what it did not take after.
        int sent = await stream.Socket.SendAsync([new ArraySegment<byte>(head), new ArraySegment<byte>(body)], SocketFlags.None).ConfigureAwait(false);
        if (sent < head.Length) await stream.WriteAsync(head.AsMemory(sent), cancellationToken).ConfigureAwait(false);
        if (sent < head.Length + body.Length) await stream.WriteAsync(body.AsMemory(Math.Max(0, sent - head.Length)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a response on this thread (a loopback socket takes a small one at once).</summary>
    public void Write(int status, IEnumerable<KeyValuePair<string, string>> headers, byte[] body) =>
        Protocol.GatheringSend.Send(stream.Socket, Head(status, headers, body.Length), body);

    private static byte[] Head(int status, IEnumerable<KeyValuePair<string, string>> headers, int length)
    {
        var head = new StringBuilder();
        head.Append("HTTP/1.1 ").Append(status).Append(status < 300 ? " OK" : " Error").Append("\r\n");
        foreach ((string name, string value) in headers) head.Append(name).Append(": ").Append(value).Append("\r\n");
        head.Append("Content-Length: ").Append(length).Append("\r\n\r\n");
        return Encoding.ASCII.GetBytes(head.ToString());
    }
}
