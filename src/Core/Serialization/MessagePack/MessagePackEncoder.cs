using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Wren.Serialization.MessagePack;

/// <summary>
/// Encodes one value, in its smallest form, at a reference into memory that has room for its largest form, and
/// returns the bytes used. <see cref="MessagePackWriter"/> writes its values with these; generated member writers call
/// them directly for a run of fixed-size members after one check for room, keeping the position in a register.
/// </summary>
internal static class MessagePackEncoder
{
    /// <summary>The most bytes any one encoder here writes for a value of the type, or 0 for a type it has no encoder for.</summary>
    public static int MaxSize(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.Boolean => 1,
        TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Char or TypeCode.Int32 or TypeCode.Single => 5,
        TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 or TypeCode.Double => 9,
        _ => 0,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Boolean(ref byte at, bool value)
    {
        at = value ? MessagePackCode.True : MessagePackCode.False;
        return 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Int32(ref byte at, int value)
    {
        if ((uint)value <= MessagePackCode.MaxPositiveFixInt)
        {
            at = (byte)value;
            return 1;
        }
        return value >= 0 ? UInt32(ref at, (uint)value) : NegativeInt32(ref at, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Int64(ref byte at, long value)
    {
        if ((ulong)value <= MessagePackCode.MaxPositiveFixInt)
        {
            at = (byte)value;
            return 1;
        }
        return Int64Slow(ref at, value);
    }

    private static int Int64Slow(ref byte at, long value)
    {
        if (value >= 0) return UInt64(ref at, (ulong)value);
        if (value >= int.MinValue) return NegativeInt32(ref at, (int)value);
        at = MessagePackCode.Int64;
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, 1), BigEndian((ulong)value));
        return 9;
    }

    public static int UInt64(ref byte at, ulong value)
    {
        if (value <= uint.MaxValue) return UInt32(ref at, (uint)value);
        at = MessagePackCode.UInt64;
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, 1), BigEndian(value));
        return 9;
    }

    private static int UInt32(ref byte at, uint value)
    {
        ref byte after = ref Unsafe.Add(ref at, 1);
        if (value <= MessagePackCode.MaxPositiveFixInt)
        {
            at = (byte)value;
            return 1;
        }
        if (value <= byte.MaxValue)
        {
            at = MessagePackCode.UInt8;
            after = (byte)value;
            return 2;
        }
        if (value <= ushort.MaxValue)
        {
            at = MessagePackCode.UInt16;
            Unsafe.WriteUnaligned(ref after, BigEndian((ushort)value));
            return 3;
        }
        at = MessagePackCode.UInt32;
        Unsafe.WriteUnaligned(ref after, BigEndian(value));
        return 5;
    }

    private static int NegativeInt32(ref byte at, int value)
    {
        ref byte after = ref Unsafe.Add(ref at, 1);
        if (value >= -32)
        {
            at = unchecked((byte)value);
            return 1;
        }
        if (value >= sbyte.MinValue)
        {
            at = MessagePackCode.Int8;
            after = unchecked((byte)value);
            return 2;
        }
        if (value >= short.MinValue)
        {
            at = MessagePackCode.Int16;
            Unsafe.WriteUnaligned(ref after, BigEndian(unchecked((ushort)value)));
            return 3;
        }
        at = MessagePackCode.Int32;
        Unsafe.WriteUnaligned(ref after, BigEndian(unchecked((uint)value)));
        return 5;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Single(ref byte at, float value)
    {
        at = MessagePackCode.Float32;
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, 1), BigEndian(BitConverter.SingleToUInt32Bits(value)));
        return 5;
    }

    /// <summary>A double as float32 when that loses nothing (every bit preserved), else as float64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Double(ref byte at, double value)
    {
        float narrow = (float)value;
        if (BitConverter.DoubleToInt64Bits(narrow) == BitConverter.DoubleToInt64Bits(value)) return Single(ref at, narrow);
        return Float64(ref at, value);
    }

    /// <summary>A double as float64 whatever its value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Float64(ref byte at, double value)
    {
        at = MessagePackCode.Float64;
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, 1), BigEndian(BitConverter.DoubleToUInt64Bits(value)));
        return 9;
    }

    /// <summary>
    /// Copies the first <paramref name="length"/> bytes of <paramref name="padded"/>, an array whose length is a multiple
    /// of 16, in whole 16-byte vectors (room for all of <paramref name="padded"/> is needed): a short key costs one load
    /// and one store instead of a call to copy memory. The padding lands past the bytes used, where the next value goes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Padded(ref byte at, byte[] padded, int length)
    {
        ref byte from = ref MemoryMarshal.GetArrayDataReference(padded);
        for (int i = 0; i < padded.Length; i += 16) Vector128.LoadUnsafe(ref from, (nuint)i).StoreUnsafe(ref at, (nuint)i);
        return length;
    }

    private static ushort BigEndian(ushort value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    private static uint BigEndian(uint value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    private static ulong BigEndian(ulong value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;
}
