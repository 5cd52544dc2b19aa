using System.Buffers;
using System.Text.Json;
using Google.Protobuf;
using MessagePack;
using Wren.Serialization;

namespace Wren.Benchmarks.Serializer;

/// <summary>
/// The doubles case written into a caller's buffer that is used again for every call, the way Wren writes a Map's
/// inputs and a worker its results (through <see cref="IBufferWriter{T}"/>): each library's own API for it. Each
/// method empties the buffer first and returns how many bytes it wrote.
/// </summary>
public static class BufferWrites
{
    /// <summary>A buffer with room for the largest of the doubles' binary forms, made once; JSON grows it once, on its first write.</summary>
    public static ArrayBufferWriter<byte> NewBuffer(Payloads p) => new(p.DoublesWren.Length + 64);

    public static int Json(ArrayBufferWriter<byte> buffer, Utf8JsonWriter json, Payloads p)
    {
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        JsonSerializer.Serialize(json, p.Doubles);
        json.Flush();
        return buffer.WrittenCount;
    }

    public static int Wren(ArrayBufferWriter<byte> buffer, Payloads p)
    {
        buffer.ResetWrittenCount();
        WrenSerializer.Serialize(buffer, p.Doubles);
        return buffer.WrittenCount;
    }

    public static int WrenRaw(ArrayBufferWriter<byte> buffer, Payloads p)
    {
        buffer.ResetWrittenCount();
        WrenSerializer.Serialize(buffer, p.Doubles, Payloads.WrenRawBlocks);
        return buffer.WrittenCount;
    }

    public static int Protobuf(ArrayBufferWriter<byte> buffer, Payloads p)
    {
        buffer.ResetWrittenCount();
        p.DoublesMessage.WriteTo(buffer);
        return buffer.WrittenCount;
    }

    public static int MessagePack(ArrayBufferWriter<byte> buffer, Payloads p)
    {
        buffer.ResetWrittenCount();
        MessagePackSerializer.Serialize(buffer, p.Doubles, Payloads.MessagePackOptions);
        return buffer.WrittenCount;
    }

    /// <summary>Not a serializer: one copy of the raw block into the buffer.</summary>
    public static int MemoryCopy(ArrayBufferWriter<byte> buffer, Payloads p)
    {
        buffer.ResetWrittenCount();
        buffer.Write(p.DoublesWrenRaw);
        return buffer.WrittenCount;
    }
}
