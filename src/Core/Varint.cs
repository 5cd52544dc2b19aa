namespace Wren;

/// <summary>
/// Unsigned LEB128 varints, and zigzag for signed differences: how job stats are packed for storage
/// (<c>StatsColumns</c>) and how a worker's answer packs its calls' times.
/// </summary>
internal static class Varint
{
    /// <summary>The most bytes a varint of a 64-bit value takes.</summary>
    public const int MaxBytes = 10;

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="to"/> (room for <see cref="MaxBytes"/>); returns how many bytes.</summary>
    public static int Write(Span<byte> to, ulong value)
    {
        int n = 0;
        while (value >= 0x80)
        {
            to[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        to[n++] = (byte)value;
        return n;
    }

    /// <summary>
    /// Reads the varint at the start of <paramref name="from"/>; returns how many bytes it took, 0 if the bytes end
    /// inside it, or -1 if it runs past <see cref="MaxBytes"/>. The caller says what was damaged.
    /// </summary>
    public static int TryRead(ReadOnlySpan<byte> from, out ulong value)
    {
        value = 0;
        for (int n = 0; n < MaxBytes; n++)
        {
            if (n >= from.Length) return 0;
            byte b = from[n];
            value |= (ulong)(b & 0x7F) << (7 * n);
            if (b < 0x80) return n + 1;
        }
        return -1;
    }
}
