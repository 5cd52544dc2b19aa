using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Wren.Serialization.MessagePack;

namespace Wren.Serialization.Formatters;

/// <summary>
/// Arrays of unmanaged values as one Wren raw-block extension: a kind byte (a primitive code, or 0 followed by the
/// element size as 4 little-endian bytes for a struct) and then the elements exactly as they lie in memory.
/// </summary>
internal static class RawBlock<T>
{
    /// <summary>Whether values of <typeparamref name="T"/> may travel as raw memory (no references inside; byte goes as bin).</summary>
    public static readonly bool Applies = !RuntimeHelpers.IsReferenceOrContainsReferences<T>() && typeof(T) != typeof(byte);

    private static readonly byte Kind = KindOf(typeof(T));
    private static readonly int HeaderSize = Kind == 0 ? 5 : 1;

    private static byte KindOf(Type type)
    {
        if (type.IsEnum) type = Enum.GetUnderlyingType(type);
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => 1,
            TypeCode.SByte => 2,
            TypeCode.Byte => 3,
            TypeCode.Int16 => 4,
            TypeCode.UInt16 => 5,
            TypeCode.Int32 => 6,
            TypeCode.UInt32 => 7,
            TypeCode.Int64 => 8,
            TypeCode.UInt64 => 9,
            TypeCode.Single => 10,
            TypeCode.Double => 11,
            TypeCode.Char => 12,
            _ => 0,
        };
    }

    public static void Write(MessagePackWriter writer, Array source, int offset, int count)
    {
        int size = Unsafe.SizeOf<T>();
        long bytes = (long)count * size;
        if (bytes + HeaderSize > int.MaxValue) throw new WrenSerializationException($"an array of {count} {typeof(T).Name} values is over 2 GB; split it");
        writer.WriteExtensionHeader(WrenExtension.RawBlock, (int)bytes + HeaderSize);
        WriteHeader(writer, size);
        writer.WriteBlock(source, offset * size, (int)bytes);
    }

    public static void Write(MessagePackWriter writer, ReadOnlySpan<T> values)
    {
        int size = Unsafe.SizeOf<T>();
        writer.WriteExtensionHeader(WrenExtension.RawBlock, checked(values.Length * size + HeaderSize));
        WriteHeader(writer, size);
        writer.WriteRaw(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(values)), values.Length * size));
    }

    private static void WriteHeader(MessagePackWriter writer, int size)
    {
        Span<byte> header = [Kind, 0, 0, 0, 0];
        if (Kind == 0) System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header[1..], size);
        writer.WriteRaw(header[..HeaderSize]);
    }

    /// <summary>Whether the next value is a raw block (rather than a MessagePack array).</summary>
    public static bool IsNext(ref MessagePackReader reader) => reader.PeekExtensionType() == WrenExtension.RawBlock;

    /// <summary>Reads a raw block's elements; the caller copies them where they belong.</summary>
    public static ReadOnlySpan<T> Read(ref MessagePackReader reader)
    {
        int start = reader.Position;
        reader.ReadExtension(out ReadOnlySpan<byte> payload);
        int size = Unsafe.SizeOf<T>();
        if (payload.Length < HeaderSize || payload[0] != Kind)
            throw new WrenSerializationException($"the raw block at byte {start} holds {(payload.Length == 0 ? "nothing" : $"element kind {payload[0]}")}, not {typeof(T).Name} values (kind {Kind})");
        if (Kind == 0 && System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(payload[1..]) != size)
            throw new WrenSerializationException($"the raw block at byte {start} holds elements of {System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(payload[1..])} bytes, but {typeof(T).Name} has {size}; the writer has a different version of the type");
        ReadOnlySpan<byte> data = payload[HeaderSize..];
        if (data.Length % size != 0)
            throw new WrenSerializationException($"the raw block at byte {start} has {data.Length} bytes, not a whole number of {size}-byte {typeof(T).Name} values");
        return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetReference(data)), data.Length / size);
    }
}
