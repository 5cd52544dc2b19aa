using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Wren.Serialization.MessagePack;

/// <summary>
/// Reads MessagePack values from one contiguous span. The input is untrusted: every length is checked against the
/// bytes that remain before anything is allocated, and every failure is a <see cref="WrenSerializationException"/>.
/// </summary>
internal ref struct MessagePackReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public MessagePackReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly bool End => _position >= _data.Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly byte PeekCode()
    {
        if ((uint)_position >= (uint)_data.Length) throw Truncated(1);
        return _data[_position];
    }

    /// <summary>The byte after the next one, or 0 when there is none.</summary>
    public readonly byte PeekCode(int ahead) => _position + ahead < _data.Length ? _data[_position + ahead] : (byte)0;

    public readonly MessagePackKind PeekKind() => KindOf(PeekCode());

    public static MessagePackKind KindOf(byte code) => code switch
    {
        <= MessagePackCode.MaxPositiveFixInt => MessagePackKind.Integer,
        <= MessagePackCode.MaxFixMap => MessagePackKind.Map,
        <= MessagePackCode.MaxFixArray => MessagePackKind.Array,
        <= MessagePackCode.MaxFixStr => MessagePackKind.String,
        MessagePackCode.Nil => MessagePackKind.Nil,
        MessagePackCode.False or MessagePackCode.True => MessagePackKind.Boolean,
        MessagePackCode.Bin8 or MessagePackCode.Bin16 or MessagePackCode.Bin32 => MessagePackKind.Binary,
        MessagePackCode.Ext8 or MessagePackCode.Ext16 or MessagePackCode.Ext32 => MessagePackKind.Extension,
        MessagePackCode.Float32 or MessagePackCode.Float64 => MessagePackKind.Float,
        >= MessagePackCode.UInt8 and <= MessagePackCode.Int64 => MessagePackKind.Integer,
        >= MessagePackCode.FixExt1 and <= MessagePackCode.FixExt16 => MessagePackKind.Extension,
        MessagePackCode.Str8 or MessagePackCode.Str16 or MessagePackCode.Str32 => MessagePackKind.String,
        MessagePackCode.Array16 or MessagePackCode.Array32 => MessagePackKind.Array,
        MessagePackCode.Map16 or MessagePackCode.Map32 => MessagePackKind.Map,
        >= MessagePackCode.MinNegativeFixInt => MessagePackKind.Integer,
        _ => MessagePackKind.Invalid,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_data.Length - _position)) throw Truncated(count);
        ReadOnlySpan<byte> span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte TakeByte()
    {
        if ((uint)_position >= (uint)_data.Length) throw Truncated(1);
        return _data[_position++];
    }

    /// <summary>Consumes <paramref name="expected"/> if the data continues with exactly those bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadRaw(ReadOnlySpan<byte> expected)
    {
        if (!_data[_position..].StartsWith(expected)) return false;
        _position += expected.Length;
        return true;
    }

    /// <summary>Whether a format byte starts an extension (fixext or ext 8/16/32).</summary>
    public static bool IsExtension(byte code) => code is >= MessagePackCode.Ext8 and <= MessagePackCode.Ext32 or >= MessagePackCode.FixExt1 and <= MessagePackCode.FixExt16;

    public bool TryReadNil()
    {
        if (PeekCode() != MessagePackCode.Nil) return false;
        _position++;
        return true;
    }

    public bool ReadBoolean()
    {
        byte code = TakeByte();
        return code switch
        {
            MessagePackCode.True => true,
            MessagePackCode.False => false,
            _ => throw Unexpected("a boolean", code, 1),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ReadInt64()
    {
        byte code = PeekCode();
        if (code <= MessagePackCode.MaxPositiveFixInt)
        {
            _position++;
            return code;
        }
        return ReadInt64Slow(code);
    }

    private long ReadInt64Slow(byte code)
    {
        if (code >= MessagePackCode.MinNegativeFixInt)
        {
            _position++;
            return (sbyte)code;
        }
        switch (code)
        {
            case MessagePackCode.UInt8: _position++; return TakeByte();
            case MessagePackCode.UInt16: _position++; return BinaryPrimitives.ReadUInt16BigEndian(Take(2));
            case MessagePackCode.UInt32: _position++; return BinaryPrimitives.ReadUInt32BigEndian(Take(4));
            case MessagePackCode.UInt64:
                _position++;
                ulong big = BinaryPrimitives.ReadUInt64BigEndian(Take(8));
                if (big > long.MaxValue) { _position -= 9; throw OutOfRange(big.ToString(), "Int64"); }
                return (long)big;
            case MessagePackCode.Int8: _position++; return (sbyte)TakeByte();
            case MessagePackCode.Int16: _position++; return BinaryPrimitives.ReadInt16BigEndian(Take(2));
            case MessagePackCode.Int32: _position++; return BinaryPrimitives.ReadInt32BigEndian(Take(4));
            case MessagePackCode.Int64: _position++; return BinaryPrimitives.ReadInt64BigEndian(Take(8));
            case MessagePackCode.Float32 or MessagePackCode.Float64:
                double d = ReadDouble();
                if (d != Math.Floor(d) || d < long.MinValue || d >= 9223372036854775808.0) throw OutOfRange(d.ToString("R"), "Int64");
                return (long)d;
            default: throw Unexpected("an integer", code, 0);
        }
    }

    public ulong ReadUInt64()
    {
        byte code = PeekCode();
        if (code == MessagePackCode.UInt64)
        {
            _position++;
            return BinaryPrimitives.ReadUInt64BigEndian(Take(8));
        }
        int start = _position;
        if (KindOf(code) == MessagePackKind.Float)
        {
            double d = ReadDouble();
            if (d != Math.Floor(d) || d < 0 || d >= 18446744073709551616.0)
            {
                _position = start;
                throw OutOfRange(d.ToString("R"), "UInt64");
            }
            return (ulong)d;
        }
        long value = ReadInt64();
        if (value < 0)
        {
            _position = start;
            throw OutOfRange(value.ToString(), "UInt64");
        }
        return (ulong)value;
    }

    /// <summary>Reads an integer and checks that it fits between <paramref name="min"/> and <paramref name="max"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ReadInt64(long min, long max, string typeName)
    {
        int start = _position;
        long value = ReadInt64();
        if (value < min || value > max)
        {
            _position = start;
            throw OutOfRange(value.ToString(), typeName);
        }
        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadInt32()
    {
        byte code = PeekCode();
        if (code <= MessagePackCode.MaxPositiveFixInt)
        {
            _position++;
            return code;
        }
        return ReadInt32Slow(code);
    }

    // The 8-, 16- and 32-bit forms, after one check that the largest of them (five bytes) is there; the rest (64-bit
    // forms, floats, a uint 32 past int's range, truncated data) go the checked way, which says why they do not fit.
    private int ReadInt32Slow(byte code)
    {
        if (code >= MessagePackCode.MinNegativeFixInt)
        {
            _position++;
            return (sbyte)code;
        }
        if (_data.Length - _position >= 5)
        {
            ref byte after = ref Unsafe.Add(ref MemoryMarshal.GetReference(_data), _position + 1);
            switch (code)
            {
                case MessagePackCode.UInt8:
                    _position += 2;
                    return after;
                case MessagePackCode.UInt16:
                    _position += 3;
                    return BigEndian(Unsafe.ReadUnaligned<ushort>(ref after));
                case MessagePackCode.UInt32:
                    uint big = BigEndian(Unsafe.ReadUnaligned<uint>(ref after));
                    if (big > int.MaxValue) break;
                    _position += 5;
                    return (int)big;
                case MessagePackCode.Int8:
                    _position += 2;
                    return (sbyte)after;
                case MessagePackCode.Int16:
                    _position += 3;
                    return (short)BigEndian(Unsafe.ReadUnaligned<ushort>(ref after));
                case MessagePackCode.Int32:
                    _position += 5;
                    return (int)BigEndian(Unsafe.ReadUnaligned<uint>(ref after));
            }
        }
        return (int)ReadInt64(int.MinValue, int.MaxValue, "Int32");
    }

    private static ushort BigEndian(ushort value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    private static uint BigEndian(uint value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    public double ReadDouble()
    {
        byte code = PeekCode();
        switch (code)
        {
            case MessagePackCode.Float64: _position++; return BinaryPrimitives.ReadDoubleBigEndian(Take(8));
            case MessagePackCode.Float32: _position++; return BinaryPrimitives.ReadSingleBigEndian(Take(4));
            case MessagePackCode.UInt64: _position++; return BinaryPrimitives.ReadUInt64BigEndian(Take(8));
            default:
                if (KindOf(code) != MessagePackKind.Integer) throw Unexpected("a number", code, 0);
                return ReadInt64();
        }
    }

    /// <summary>
    /// Reads the float64 values that come next, up to <paramref name="destination"/>'s length, in one pass; stops at the
    /// first element encoded otherwise (an integer, a float32) and returns how many it read.
    /// </summary>
    public int ReadFloat64Run(Span<double> destination)
    {
        int count = Float64Records.Read(_data[_position..], destination);
        _position += count * Float64Records.RecordSize;
        return count;
    }

    public float ReadSingle()
    {
        if (PeekCode() == MessagePackCode.Float32)
        {
            _position++;
            return BinaryPrimitives.ReadSingleBigEndian(Take(4));
        }
        return (float)ReadDouble();
    }

    /// <summary>Reads a string's UTF-8 bytes without decoding them.</summary>
    public ReadOnlySpan<byte> ReadStringBytes()
    {
        byte code = TakeByte();
        int length = code switch
        {
            >= MessagePackCode.MinFixStr and <= MessagePackCode.MaxFixStr => code & 0x1f,
            MessagePackCode.Str8 => TakeByte(),
            MessagePackCode.Str16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            MessagePackCode.Str32 => CheckedLength(BinaryPrimitives.ReadUInt32BigEndian(Take(4))),
            _ => throw Unexpected("a string", code, 1),
        };
        return Take(length);
    }

    public string? ReadString()
    {
        if (TryReadNil()) return null;
        int start = _position;
        ReadOnlySpan<byte> bytes = ReadStringBytes();
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Malformed($"the string at byte {start} is not valid UTF-8");
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public ReadOnlySpan<byte> ReadBinary()
    {
        byte code = PeekCode();
        if (KindOf(code) == MessagePackKind.String) return ReadStringBytes();
        _position++;
        int length = code switch
        {
            MessagePackCode.Bin8 => TakeByte(),
            MessagePackCode.Bin16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            MessagePackCode.Bin32 => CheckedLength(BinaryPrimitives.ReadUInt32BigEndian(Take(4))),
            _ => throw Unexpected("binary data", code, 1),
        };
        return Take(length);
    }

    /// <summary>Reads an array header; the count is checked against the bytes left (every element takes at least one).</summary>
    public int ReadArrayHeader()
    {
        byte code = TakeByte();
        int count = code switch
        {
            >= MessagePackCode.MinFixArray and <= MessagePackCode.MaxFixArray => code & 0x0f,
            MessagePackCode.Array16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            MessagePackCode.Array32 => CheckedLength(BinaryPrimitives.ReadUInt32BigEndian(Take(4))),
            _ => throw Unexpected("an array", code, 1),
        };
        if (count > Remaining) throw Malformed($"an array declares {count} elements but only {Remaining} bytes remain");
        return count;
    }

    /// <summary>Reads a map header; the count is checked against the bytes left (every entry takes at least two).</summary>
    public int ReadMapHeader()
    {
        byte code = TakeByte();
        int count = code switch
        {
            >= MessagePackCode.MinFixMap and <= MessagePackCode.MaxFixMap => code & 0x0f,
            MessagePackCode.Map16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            MessagePackCode.Map32 => CheckedLength(BinaryPrimitives.ReadUInt32BigEndian(Take(4))),
            _ => throw Unexpected("a map", code, 1),
        };
        if ((long)count * 2 > Remaining) throw Malformed($"a map declares {count} entries but only {Remaining} bytes remain");
        return count;
    }

    /// <summary>Reads an extension's header and returns its type and payload.</summary>
    public sbyte ReadExtension(out ReadOnlySpan<byte> payload)
    {
        byte code = TakeByte();
        int length = code switch
        {
            MessagePackCode.FixExt1 => 1,
            MessagePackCode.FixExt2 => 2,
            MessagePackCode.FixExt4 => 4,
            MessagePackCode.FixExt8 => 8,
            MessagePackCode.FixExt16 => 16,
            MessagePackCode.Ext8 => TakeByte(),
            MessagePackCode.Ext16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            MessagePackCode.Ext32 => CheckedLength(BinaryPrimitives.ReadUInt32BigEndian(Take(4))),
            _ => throw Unexpected("an extension", code, 1),
        };
        sbyte type = (sbyte)TakeByte();
        payload = Take(length);
        return type;
    }

    /// <summary>The type of the extension that comes next, or null when the next value is not an extension.</summary>
    public readonly sbyte? PeekExtensionType(int ahead = 0)
    {
        if (_position + ahead >= _data.Length) return null;
        int at = _position + ahead;
        byte code = _data[at];
        int typeOffset = code switch
        {
            >= MessagePackCode.FixExt1 and <= MessagePackCode.FixExt16 => 1,
            MessagePackCode.Ext8 => 2,
            MessagePackCode.Ext16 => 3,
            MessagePackCode.Ext32 => 5,
            _ => -1,
        };
        if (typeOffset < 0 || at + typeOffset >= _data.Length) return null;
        return (sbyte)_data[at + typeOffset];
    }

    /// <summary>Reads a timestamp extension (all three forms) as seconds and nanoseconds since the Unix epoch.</summary>
    public (long Seconds, uint Nanoseconds) ReadTimestamp()
    {
        int start = _position;
        sbyte type = ReadExtension(out ReadOnlySpan<byte> payload);
        if (type != MessagePackCode.TimestampExtension)
        {
            _position = start;
            throw Malformed($"expected a timestamp (extension -1) but found extension {type} at byte {start}");
        }
        switch (payload.Length)
        {
            case 4:
                return (BinaryPrimitives.ReadUInt32BigEndian(payload), 0);
            case 8:
                ulong packed = BinaryPrimitives.ReadUInt64BigEndian(payload);
                return ((long)(packed & 0x3_ffff_ffffUL), CheckedNanoseconds((uint)(packed >> 34), start));
            case 12:
                return (BinaryPrimitives.ReadInt64BigEndian(payload[4..]), CheckedNanoseconds(BinaryPrimitives.ReadUInt32BigEndian(payload), start));
            default:
                throw Malformed($"a timestamp at byte {start} has {payload.Length} bytes; the forms have 4, 8 or 12");
        }
    }

    private static uint CheckedNanoseconds(uint nanoseconds, int start) =>
        nanoseconds < 1_000_000_000 ? nanoseconds : throw Malformed($"a timestamp at byte {start} has {nanoseconds} nanoseconds; at most 999,999,999 are allowed");

    /// <summary>Skips one value of any kind, iteratively, so that hostile nesting cannot exhaust the stack.</summary>
    public void Skip()
    {
        long pending = 1;
        while (pending > 0)
        {
            pending--;
            byte code = PeekCode();
            switch (KindOf(code))
            {
                case MessagePackKind.Nil:
                case MessagePackKind.Boolean:
                    _position++;
                    break;
                case MessagePackKind.Integer:
                case MessagePackKind.Float:
                    SkipNumber(code);
                    break;
                case MessagePackKind.String:
                    ReadStringBytes();
                    break;
                case MessagePackKind.Binary:
                    ReadBinary();
                    break;
                case MessagePackKind.Extension:
                    ReadExtension(out _);
                    break;
                case MessagePackKind.Array:
                    pending += ReadArrayHeader();
                    break;
                case MessagePackKind.Map:
                    pending += 2L * ReadMapHeader();
                    break;
                default:
                    throw Unexpected("a value", code, 0);
            }
        }
    }

    private void SkipNumber(byte code)
    {
        int size = code switch
        {
            MessagePackCode.UInt8 or MessagePackCode.Int8 => 1,
            MessagePackCode.UInt16 or MessagePackCode.Int16 => 2,
            MessagePackCode.UInt32 or MessagePackCode.Int32 or MessagePackCode.Float32 => 4,
            MessagePackCode.UInt64 or MessagePackCode.Int64 or MessagePackCode.Float64 => 8,
            _ => 0,
        };
        Take(1 + size);
    }

    private int CheckedLength(uint length)
    {
        if (length > (uint)Remaining) throw Malformed($"a length of {length} is declared at byte {_position} but only {Remaining} bytes remain");
        return (int)length;
    }

    private readonly WrenSerializationException Truncated(int needed) =>
        Malformed($"the data ends at byte {_data.Length} but {needed} more bytes were expected at byte {_position}: it is truncated");

    private readonly WrenSerializationException Unexpected(string expected, byte code, int consumed) =>
        Malformed($"expected {expected} but found {Describe(code)} at byte {_position - consumed}");

    private readonly WrenSerializationException OutOfRange(string value, string typeName) =>
        Malformed($"the number {value} at byte {_position} does not fit in {typeName}");

    public static WrenSerializationException Malformed(string reason) => new(reason);

    public static string Describe(byte code) => KindOf(code) switch
    {
        MessagePackKind.Integer => "an integer",
        MessagePackKind.Nil => "nil",
        MessagePackKind.Boolean => "a boolean",
        MessagePackKind.Float => "a float",
        MessagePackKind.String => "a string",
        MessagePackKind.Binary => "binary data",
        MessagePackKind.Array => "an array",
        MessagePackKind.Map => "a map",
        MessagePackKind.Extension => "an extension",
        _ => $"the unused format byte 0x{code:x2}",
    };
}
