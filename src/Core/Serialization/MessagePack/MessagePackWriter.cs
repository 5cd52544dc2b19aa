using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Wren.Serialization.MessagePack;

/// <summary>
/// Writes MessagePack values, each in its smallest encoding, into a growable pooled buffer. Blocks of at least
/// <see cref="DeferThreshold"/> bytes are not copied into the buffer: they are recorded and copied once, straight into
/// the final output, so a large array costs one memory copy.
/// </summary>
internal sealed class MessagePackWriter
{
    private const int DeferThreshold = 32 * 1024;
    private const int InitialSize = 256;

    private byte[] _buffer;
    private int _position;
    private List<DeferredBlock>? _deferred;
    private long _deferredBytes;

    public MessagePackWriter() => _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);

    /// <summary>Bytes written so far, deferred blocks included.</summary>
    public long Length => _position + _deferredBytes;

    public void Reset()
    {
        _position = 0;
        _deferred?.Clear();
        _deferredBytes = 0;
        if (_buffer.Length > 1024 * 1024)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _position < count) Grow(count);
        return _buffer.AsSpan(_position, count);
    }

    private void Grow(int count)
    {
        long needed = (long)_position + count;
        if (needed > Array.MaxLength) throw new WrenSerializationException("the serialized value would exceed 2 GB; split it into smaller values");
        int size = (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_buffer.Length * 2));
        byte[] larger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _position).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteByte(byte value)
    {
        if (_position == _buffer.Length) Grow(1);
        _buffer[_position++] = value;
    }

    /// <summary>
    /// Makes room for <paramref name="count"/> bytes after those written and returns a reference to the first; the caller
    /// encodes into them (with <see cref="MessagePackEncoder"/>) and then calls <see cref="Advance"/> with the bytes used.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref byte GetRoom(int count)
    {
        if (_buffer.Length - _position < count) Grow(count);
        return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buffer), _position);
    }

    /// <summary>Counts <paramref name="count"/> bytes encoded after <see cref="GetRoom"/> as written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count) => _position += count;

    public void WriteNil() => WriteByte(MessagePackCode.Nil);

    public void WriteBoolean(bool value) => WriteByte(value ? MessagePackCode.True : MessagePackCode.False);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt32(int value)
    {
        if ((uint)value <= MessagePackCode.MaxPositiveFixInt) WriteByte((byte)value);
        else WriteInt32Slow(value);
    }

    private void WriteInt32Slow(int value) => _position += MessagePackEncoder.Int32(ref GetRoom(5), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt64(long value)
    {
        if ((ulong)value <= MessagePackCode.MaxPositiveFixInt) WriteByte((byte)value);
        else WriteInt64Slow(value);
    }

    private void WriteInt64Slow(long value) => _position += MessagePackEncoder.Int64(ref GetRoom(9), value);

    public void WriteUInt64(ulong value) => _position += MessagePackEncoder.UInt64(ref GetRoom(9), value);

    public void WriteSingle(float value) => _position += MessagePackEncoder.Single(ref GetRoom(5), value);

    /// <summary>Writes a double as float32 when that loses nothing (every bit preserved), else as float64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteDouble(double value) => _position += MessagePackEncoder.Double(ref GetRoom(9), value);

    /// <summary>Writes a double as float64 whatever its value (so an untyped reader gets a double back).</summary>
    public void WriteFloat64(double value) => _position += MessagePackEncoder.Float64(ref GetRoom(9), value);

    /// <summary>
    /// Writes doubles as a standard MessagePack array of float64 values (nine bytes each, what any reader takes for a
    /// double), converted in one pass into a reserved span.
    /// </summary>
    public void WriteFloat64Array(ReadOnlySpan<double> values)
    {
        WriteArrayHeader(values.Length);
        int bytes = checked(values.Length * Float64Records.RecordSize);
        Float64Records.Write(values, Reserve(bytes));
        _position += bytes;
    }

    /// <summary>
    /// Writes an array of doubles as <see cref="WriteFloat64Array(ReadOnlySpan{double})"/> does; a large one is converted
    /// later, straight into the final output (like a deferred block), so its bytes are written once.
    /// </summary>
    public void WriteFloat64Array(double[] values)
    {
        long bytes = (long)values.Length * Float64Records.RecordSize;
        if (bytes < DeferThreshold)
        {
            WriteFloat64Array(values.AsSpan());
            return;
        }
        if (Length + bytes > Array.MaxLength) throw new WrenSerializationException("the serialized value would exceed 2 GB; split it into smaller values");
        WriteArrayHeader(values.Length);
        (_deferred ??= []).Add(new DeferredBlock(_position, values, 0, (int)bytes, DeferredBlock.Conversion.Float64Records));
        _deferredBytes += bytes;
    }

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteNil();
            return;
        }
        // UTF-8 takes at most three bytes for each UTF-16 character: up to that size the string is encoded once, after
        // room for the header its largest length would need, and moved down if its real length needs a smaller one.
        int maxBytes = value.Length * 3;
        if (maxBytes <= 31)
        {
            Span<byte> small = Reserve(1 + maxBytes);
            int written = Encoding.UTF8.GetBytes(value, small[1..]);
            small[0] = (byte)(MessagePackCode.MinFixStr | written);
            _position += 1 + written;
            return;
        }
        if (maxBytes <= ushort.MaxValue)
        {
            int header = maxBytes <= byte.MaxValue ? 2 : 3;
            Span<byte> span = Reserve(header + maxBytes);
            int length = Encoding.UTF8.GetBytes(value, span[header..]);
            int needed = length <= 31 ? 1 : length <= byte.MaxValue ? 2 : 3;
            if (needed < header) span.Slice(header, length).CopyTo(span[needed..]);
            if (needed == 1) span[0] = (byte)(MessagePackCode.MinFixStr | length);
            else if (needed == 2) (span[0], span[1]) = (MessagePackCode.Str8, (byte)length);
            else (span[0], span[1], span[2]) = (MessagePackCode.Str16, (byte)(length >> 8), (byte)length);
            _position += needed + length;
            return;
        }
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteStringHeader(byteCount);
        Encoding.UTF8.GetBytes(value, Reserve(byteCount));
        _position += byteCount;
    }

    public void WriteStringHeader(int length)
    {
        Span<byte> span;
        if (length <= 31)
        {
            WriteByte((byte)(MessagePackCode.MinFixStr | length));
        }
        else if (length <= byte.MaxValue)
        {
            span = Reserve(2);
            span[0] = MessagePackCode.Str8;
            span[1] = (byte)length;
            _position += 2;
        }
        else if (length <= ushort.MaxValue)
        {
            span = Reserve(3);
            span[0] = MessagePackCode.Str16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
            _position += 3;
        }
        else
        {
            span = Reserve(5);
            span[0] = MessagePackCode.Str32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            _position += 5;
        }
    }

    /// <summary>Copies already-encoded MessagePack bytes (a pre-encoded key, for example).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteRaw(ReadOnlySpan<byte> encoded)
    {
        encoded.CopyTo(Reserve(encoded.Length));
        _position += encoded.Length;
    }

    /// <summary>Copies a key padded to a multiple of 16 bytes (<see cref="MessagePackEncoder.Padded"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WritePadded(byte[] padded, int length) => _position += MessagePackEncoder.Padded(ref GetRoom(padded.Length), padded, length);

    public void WriteArrayHeader(int count) => WriteContainerHeader(count, MessagePackCode.MinFixArray, MessagePackCode.Array16, MessagePackCode.Array32);

    public void WriteMapHeader(int count) => WriteContainerHeader(count, MessagePackCode.MinFixMap, MessagePackCode.Map16, MessagePackCode.Map32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteContainerHeader(int count, byte fix, byte code16, byte code32)
    {
        if ((uint)count <= 15)
        {
            WriteByte((byte)(fix | count));
            return;
        }
        Span<byte> span;
        if (count <= ushort.MaxValue)
        {
            span = Reserve(3);
            span[0] = code16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)count);
            _position += 3;
        }
        else
        {
            span = Reserve(5);
            span[0] = code32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)count);
            _position += 5;
        }
    }

    public void WriteBinaryHeader(int length)
    {
        Span<byte> span;
        if (length <= byte.MaxValue)
        {
            span = Reserve(2);
            span[0] = MessagePackCode.Bin8;
            span[1] = (byte)length;
            _position += 2;
        }
        else if (length <= ushort.MaxValue)
        {
            span = Reserve(3);
            span[0] = MessagePackCode.Bin16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
            _position += 3;
        }
        else
        {
            span = Reserve(5);
            span[0] = MessagePackCode.Bin32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            _position += 5;
        }
    }

    public void WriteBinary(byte[] value)
    {
        WriteBinaryHeader(value.Length);
        WriteBlock(value, value.Length);
    }

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteBinaryHeader(value.Length);
        WriteRaw(value);
    }

    public void WriteExtensionHeader(sbyte type, int length)
    {
        Span<byte> span;
        byte fixCode = length switch
        {
            1 => MessagePackCode.FixExt1,
            2 => MessagePackCode.FixExt2,
            4 => MessagePackCode.FixExt4,
            8 => MessagePackCode.FixExt8,
            16 => MessagePackCode.FixExt16,
            _ => 0,
        };
        if (fixCode != 0)
        {
            span = Reserve(2);
            span[0] = fixCode;
            span[1] = unchecked((byte)type);
            _position += 2;
        }
        else if (length <= byte.MaxValue)
        {
            span = Reserve(3);
            span[0] = MessagePackCode.Ext8;
            span[1] = (byte)length;
            span[2] = unchecked((byte)type);
            _position += 3;
        }
        else if (length <= ushort.MaxValue)
        {
            span = Reserve(4);
            span[0] = MessagePackCode.Ext16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
            span[3] = unchecked((byte)type);
            _position += 4;
        }
        else
        {
            span = Reserve(6);
            span[0] = MessagePackCode.Ext32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            span[5] = unchecked((byte)type);
            _position += 6;
        }
    }

    /// <summary>Writes a timestamp (extension -1) in the smallest of its three forms.</summary>
    public void WriteTimestamp(long seconds, uint nanoseconds)
    {
        if ((ulong)seconds >> 34 == 0)
        {
            ulong packed = ((ulong)nanoseconds << 34) | (ulong)seconds;
            if ((packed & 0xffffffff00000000UL) == 0)
            {
                WriteExtensionHeader(MessagePackCode.TimestampExtension, 4);
                BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), (uint)packed);
                _position += 4;
            }
            else
            {
                WriteExtensionHeader(MessagePackCode.TimestampExtension, 8);
                BinaryPrimitives.WriteUInt64BigEndian(Reserve(8), packed);
                _position += 8;
            }
            return;
        }
        WriteExtensionHeader(MessagePackCode.TimestampExtension, 12);
        Span<byte> span = Reserve(12);
        BinaryPrimitives.WriteUInt32BigEndian(span, nanoseconds);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], seconds);
        _position += 12;
    }

    /// <summary>Writes the first <paramref name="byteCount"/> bytes of an array of unmanaged values, as they are in memory.</summary>
    public void WriteBlock(Array source, int byteCount) => WriteBlock(source, 0, byteCount);

    /// <summary>Writes <paramref name="byteCount"/> bytes of an array of unmanaged values, from <paramref name="byteOffset"/>.</summary>
    public void WriteBlock(Array source, int byteOffset, int byteCount)
    {
        if (byteCount >= DeferThreshold)
        {
            (_deferred ??= []).Add(new DeferredBlock(_position, source, byteOffset, byteCount, DeferredBlock.Conversion.Copy));
            _deferredBytes += byteCount;
            return;
        }
        ref byte start = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(source), byteOffset);
        WriteRaw(MemoryMarshal.CreateReadOnlySpan(ref start, byteCount));
    }

    /// <summary>Returns everything written, as a new array of exactly that length.</summary>
    public byte[] ToArray() => ToArray(0);

    /// <summary>
    /// Everything written, in one array of its exact size after <paramref name="headroom"/> bytes left for the caller (a
    /// header in front of the message, with no second copy).
    /// </summary>
    public byte[] ToArray(int headroom)
    {
        long total = Length + headroom;
        if (total > Array.MaxLength) throw new WrenSerializationException("the serialized value exceeds 2 GB; split it into smaller values");
        byte[] result = GC.AllocateUninitializedArray<byte>((int)total);
        result.AsSpan(0, headroom).Clear();
        CopyTo(result.AsSpan(headroom));
        return result;
    }

    /// <summary>Copies everything written to <paramref name="destination"/>.</summary>
    public void CopyTo(IBufferWriter<byte> destination)
    {
        int from = 0;
        foreach (DeferredBlock block in DeferredBlocks())
        {
            DeferredBlock.Append(destination, _buffer.AsSpan(from, block.Offset - from));
            block.WriteTo(destination);
            from = block.Offset;
        }
        DeferredBlock.Append(destination, _buffer.AsSpan(from, _position - from));
    }

    private void CopyTo(Span<byte> destination)
    {
        int from = 0;
        int to = 0;
        foreach (DeferredBlock block in DeferredBlocks())
        {
            _buffer.AsSpan(from, block.Offset - from).CopyTo(destination[to..]);
            to += block.Offset - from;
            block.WriteTo(destination.Slice(to, block.Length));
            to += block.Length;
            from = block.Offset;
        }
        _buffer.AsSpan(from, _position - from).CopyTo(destination[to..]);
    }

    private List<DeferredBlock> DeferredBlocks() => _deferred ?? EmptyBlocks;

    private static readonly List<DeferredBlock> EmptyBlocks = [];
}
