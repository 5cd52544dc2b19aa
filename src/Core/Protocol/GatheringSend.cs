using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Wren.Protocol;

/// <summary>
/// An HTTP message's head and body sent on a blocking socket in one gathering write, by the worker's Runtime API client
/// and the local backend's server alike: with Nagle off, two writes are two segments and the reader wakes up twice, and
/// copying them into one array first costs as much memory again as the body.
/// </summary>
internal static class GatheringSend
{
    public static void Send(Socket socket, byte[] head, ReadOnlyMemory<byte> body)
    {
        ArraySegment<byte> bodySegment = MemoryMarshal.TryGetArray(body, out ArraySegment<byte> segment) ? segment : body.ToArray();
        int sent = socket.Send([new ArraySegment<byte>(head), bodySegment]);
        // What the socket did not take at once goes after.
        if (sent < head.Length) SendAll(socket, head.AsSpan(sent));
        SendAll(socket, body.Span[Math.Max(0, sent - head.Length)..]);
    }

    private static void SendAll(Socket socket, ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0) bytes = bytes[socket.Send(bytes)..];
    }
}
