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
    public static void Send(Socket socket, byte[] head, ReadOnlyMemory<byte> body) => Send(socket, [head, body]);

    /// <summary>Sends <paramref name="parts"/> (a message's head and body, or two messages': a worker's answer and its next request) in one gathering write.</summary>
    public static void Send(Socket socket, ReadOnlyMemory<byte>[] parts)
    {
        var segments = new ArraySegment<byte>[parts.Length];
        for (int i = 0; i < parts.Length; i++) segments[i] = MemoryMarshal.TryGetArray(parts[i], out ArraySegment<byte> segment) ? segment : parts[i].ToArray();
        int sent = socket.Send(segments);
        // What the socket did not take at once goes after, part by part.
        foreach (ReadOnlyMemory<byte> part in parts)
        {
            int taken = Math.Min(sent, part.Length);
            sent -= taken;
            SendAll(socket, part.Span[taken..]);
        }
    }

    private static void SendAll(Socket socket, ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0) bytes = bytes[socket.Send(bytes)..];
    }
}
