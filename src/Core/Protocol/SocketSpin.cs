using System.Diagnostics;
using System.Net.Sockets;

namespace Wren.Protocol;

/// <summary>
/// A short spin on a socket before a blocking read, for the local backend's worker and Runtime API when the other side
/// is about to speak. In a virtual machine, a thread blocked on a core that then went idle is woken in 20 to 25 µs (the
/// other core must wake that one); a thread that spins sees the bytes within a microsecond or two. A single call costs
/// two such wake-ups each way, as much as the rest of its round trip together.
/// </summary>
internal static class SocketSpin
{
    /// <summary>Spins until <paramref name="socket"/> has bytes to read or <paramref name="spin"/> has passed; true if it has bytes.</summary>
    public static bool UntilReadable(Socket socket, TimeSpan spin) => spin > TimeSpan.Zero && UntilReadable(socket, Deadline(spin));

    /// <summary>The <see cref="Stopwatch"/> timestamp <paramref name="spin"/> from now.</summary>
    public static long Deadline(TimeSpan spin) => Stopwatch.GetTimestamp() + (long)(spin.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Spins until <paramref name="socket"/> has bytes to read or the <see cref="Stopwatch"/> timestamp <paramref name="until"/>; true if it has bytes.</summary>
    public static bool UntilReadable(Socket socket, long until)
    {
        do
        {
            if (socket.Available > 0) return true;
            Thread.Yield();
        }
        while (Stopwatch.GetTimestamp() < until);
        return socket.Available > 0;
    }
}
