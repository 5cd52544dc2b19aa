using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Wren.Serialization.MessagePack;

/// <summary>
/// Converts between doubles as they lie in memory and MessagePack float64 values (the byte 0xcb, then the eight bytes
/// big-endian: nine bytes a value) with byte shuffles: four values at a time with AVX2, two with SSSE3 or Arm64
/// AdvSimd, and one at a time for the rest and on other processors.
/// </summary>
internal static class Float64Records
{
    public const int RecordSize = 9;

    /// <summary>Whether the 16-byte vector path runs on this machine (the vector paths assume a little-endian processor).</summary>
    public static bool IsAccelerated => BitConverter.IsLittleEndian && (Ssse3.IsSupported || AdvSimd.Arm64.IsSupported);

    /// <summary>Whether the 32-byte vector path runs on this machine.</summary>
    public static bool IsAccelerated256 => BitConverter.IsLittleEndian && Avx2.IsSupported;

    /// <summary>Writes <paramref name="source"/> as float64 values into the first 9 × its length bytes of <paramref name="destination"/>.</summary>
    public static void Write(ReadOnlySpan<double> source, Span<byte> destination)
    {
        if ((ulong)destination.Length < (ulong)source.Length * RecordSize)
            throw new ArgumentException($"{source.Length} float64 values need {(ulong)source.Length * RecordSize} bytes, but the destination has {destination.Length}", nameof(destination));
        int done = IsAccelerated256 ? Write256(source, destination) : 0;
        if (IsAccelerated) done += Write128(source[done..], destination[(done * RecordSize)..]);
        WriteScalar(source[done..], destination[(done * RecordSize)..]);
    }

    /// <summary>
    /// Reads the float64 values at the start of <paramref name="source"/> into <paramref name="destination"/>, as many
    /// as both hold; stops at the first value encoded otherwise and returns how many it read.
    /// </summary>
    public static int Read(ReadOnlySpan<byte> source, Span<double> destination)
    {
        int count = Math.Min(destination.Length, source.Length / RecordSize);
        destination = destination[..count];
        int done = IsAccelerated256 ? Read256(source, destination) : 0;
        if (IsAccelerated && count - done >= 2) done += Read128(source[(done * RecordSize)..], destination[done..]);
        if (done == count) return count;
        return done + ReadScalar(source[(done * RecordSize)..], destination[done..]);
    }

    internal static void WriteScalar(ReadOnlySpan<double> source, Span<byte> destination)
    {
        ref byte output = ref MemoryMarshal.GetReference(destination);
        for (int i = 0; i < source.Length; i++)
        {
            ref byte record = ref Unsafe.Add(ref output, i * RecordSize);
            record = MessagePackCode.Float64;
            ulong bits = BitConverter.DoubleToUInt64Bits(source[i]);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref record, 1), BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(bits) : bits);
        }
    }

    internal static int ReadScalar(ReadOnlySpan<byte> source, Span<double> destination)
    {
        int count = Math.Min(destination.Length, source.Length / RecordSize);
        ref byte input = ref MemoryMarshal.GetReference(source);
        for (int i = 0; i < count; i++)
        {
            ref byte record = ref Unsafe.Add(ref input, i * RecordSize);
            if (record != MessagePackCode.Float64) return i;
            ulong bits = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref record, 1));
            destination[i] = BitConverter.UInt64BitsToDouble(BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(bits) : bits);
        }
        return count;
    }

    // Two values (16 bytes in) become 18 bytes out, written as two 16-byte stores that overlap in 14 bytes (the same
    // values land there twice): one at the first record and one two bytes further on, which ends at the second
    // record's last byte. Nothing is written past the 18 bytes, so the last pair needs no special case.
    internal static int Write128(ReadOnlySpan<double> source, Span<byte> destination)
    {
        Vector128<byte> first = WriteFirst, firstCodes = PairCodes, second = WriteSecond, secondCodes = WriteSecondCodes;
        ref byte input = ref Unsafe.As<double, byte>(ref MemoryMarshal.GetReference(source));
        ref byte output = ref MemoryMarshal.GetReference(destination);
        int pairs = source.Length / 2;
        for (int i = 0; i < pairs; i++)
        {
            Vector128<byte> values = Vector128.LoadUnsafe(ref input, (nuint)(i * 16));
            ref byte at = ref Unsafe.Add(ref output, i * 2 * RecordSize);
            (Shuffle(values, first) | firstCodes).StoreUnsafe(ref at);
            (Shuffle(values, second) | secondCodes).StoreUnsafe(ref Unsafe.Add(ref at, 2));
        }
        return pairs * 2;
    }

    // Two records (18 bytes in) become two values: one load at the first record and one two bytes on, which ends at
    // the second record's last byte, so nothing past the records is read. Each pair's two format bytes are checked
    // before its values are stored; the first pair that is not two float64 values stops the run.
    internal static int Read128(ReadOnlySpan<byte> source, Span<double> destination)
    {
        Vector128<byte> first = ReadFirst, second = ReadSecond, codeMask = PairCodeMask, codes = PairCodes;
        ref byte input = ref MemoryMarshal.GetReference(source);
        ref byte output = ref Unsafe.As<double, byte>(ref MemoryMarshal.GetReference(destination));
        int pairs = Math.Min(destination.Length, source.Length / RecordSize) / 2;
        int i = 0;
        for (; i < pairs; i++)
        {
            ref byte at = ref Unsafe.Add(ref input, i * 2 * RecordSize);
            Vector128<byte> low = Vector128.LoadUnsafe(ref at);
            if ((low & codeMask) != codes) break;
            Vector128<byte> high = Vector128.LoadUnsafe(ref Unsafe.Add(ref at, 2));
            (Shuffle(low, first) | Shuffle(high, second)).StoreUnsafe(ref output, (nuint)(i * 16));
        }
        return i * 2;
    }

    // Write128 on four values at a time: AVX2 shuffles within each 16-byte half, so each half is a pair as above.
    internal static int Write256(ReadOnlySpan<double> source, Span<byte> destination)
    {
        Vector256<byte> first = Vector256.Create(WriteFirst), firstCodes = Vector256.Create(PairCodes);
        Vector256<byte> second = Vector256.Create(WriteSecond), secondCodes = Vector256.Create(WriteSecondCodes);
        ref byte input = ref Unsafe.As<double, byte>(ref MemoryMarshal.GetReference(source));
        ref byte output = ref MemoryMarshal.GetReference(destination);
        int quads = source.Length / 4;
        for (int i = 0; i < quads; i++)
        {
            Vector256<byte> values = Vector256.LoadUnsafe(ref input, (nuint)(i * 32));
            ref byte at = ref Unsafe.Add(ref output, i * 4 * RecordSize);
            Vector256<byte> a = Avx2.Shuffle(values, first) | firstCodes;
            Vector256<byte> b = Avx2.Shuffle(values, second) | secondCodes;
            a.GetLower().StoreUnsafe(ref at);
            b.GetLower().StoreUnsafe(ref Unsafe.Add(ref at, 2));
            a.GetUpper().StoreUnsafe(ref Unsafe.Add(ref at, 18));
            b.GetUpper().StoreUnsafe(ref Unsafe.Add(ref at, 20));
        }
        return quads * 4;
    }

    // Read128 on four records at a time: each 16-byte half of the vectors holds a pair, loaded as above.
    internal static int Read256(ReadOnlySpan<byte> source, Span<double> destination)
    {
        Vector256<byte> first = Vector256.Create(ReadFirst), second = Vector256.Create(ReadSecond);
        Vector256<byte> codeMask = Vector256.Create(PairCodeMask), codes = Vector256.Create(PairCodes);
        ref byte input = ref MemoryMarshal.GetReference(source);
        ref byte output = ref Unsafe.As<double, byte>(ref MemoryMarshal.GetReference(destination));
        int quads = Math.Min(destination.Length, source.Length / RecordSize) / 4;
        int i = 0;
        for (; i < quads; i++)
        {
            ref byte at = ref Unsafe.Add(ref input, i * 4 * RecordSize);
            Vector256<byte> low = Vector256.Create(Vector128.LoadUnsafe(ref at), Vector128.LoadUnsafe(ref Unsafe.Add(ref at, 18)));
            if ((low & codeMask) != codes) break;
            Vector256<byte> high = Vector256.Create(Vector128.LoadUnsafe(ref Unsafe.Add(ref at, 2)), Vector128.LoadUnsafe(ref Unsafe.Add(ref at, 20)));
            (Avx2.Shuffle(low, first) | Avx2.Shuffle(high, second)).StoreUnsafe(ref output, (nuint)(i * 32));
        }
        return i * 4;
    }

    // The shuffles of a pair of values, written once for the 16- and 32-byte paths (the latter repeats them per half).
    // Writing: out byte 0 is the 0xcb; bytes 1..8 the first value's bytes 7..0; byte 9 the 0xcb; bytes 10..15 the
    // second value's bytes 15..10 (index 0x80 makes a zero, which the OR with the code fills).
    private static Vector128<byte> WriteFirst => Vector128.Create((byte)0x80, 7, 6, 5, 4, 3, 2, 1, 0, 0x80, 15, 14, 13, 12, 11, 10);

    // Two bytes on: the first value's bytes 6..0, the 0xcb, the second value's bytes 15..8.
    private static Vector128<byte> WriteSecond => Vector128.Create((byte)6, 5, 4, 3, 2, 1, 0, 0x80, 15, 14, 13, 12, 11, 10, 9, 8);

    private static Vector128<byte> WriteSecondCodes => Vector128.Create(0, 0, 0, 0, 0, 0, 0, MessagePackCode.Float64, 0, 0, 0, 0, 0, 0, 0, 0);

    // Reading: value 0's bytes 0..7 are the first record's bytes 8..1; value 1's are the second record's, at 15..8 of
    // the load two bytes on.
    private static Vector128<byte> ReadFirst => Vector128.Create((byte)8, 7, 6, 5, 4, 3, 2, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);

    private static Vector128<byte> ReadSecond => Vector128.Create((byte)0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 15, 14, 13, 12, 11, 10, 9, 8);

    // A pair's two format bytes, at bytes 0 and 9 (written by the first shuffle's OR, checked in the first load).
    private static Vector128<byte> PairCodes => Vector128.Create(MessagePackCode.Float64, 0, 0, 0, 0, 0, 0, 0, 0, MessagePackCode.Float64, 0, 0, 0, 0, 0, 0);

    private static Vector128<byte> PairCodeMask => Vector128.Create(0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0);

    // Both instructions take the byte at each index and make a zero for an index of 16 or more.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Shuffle(Vector128<byte> values, Vector128<byte> indices) =>
        Ssse3.IsSupported ? Ssse3.Shuffle(values, indices) : AdvSimd.Arm64.VectorTableLookup(values, indices);
}
