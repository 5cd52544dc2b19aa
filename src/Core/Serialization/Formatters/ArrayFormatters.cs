using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Wren.Serialization.MessagePack;

namespace Wren.Serialization.Formatters;

/// <summary>One-dimensional arrays: a MessagePack array, or one raw block for unmanaged elements.</summary>
internal sealed class ArrayFormatter<T> : Formatter<T[]>
{
    public override void Write(MessagePackWriter writer, T[] value, WriteContext context)
    {
        if (RawBlock<T>.Applies && context.Options.RawBlocks) RawBlock<T>.Write(writer, value, 0, value.Length);
        else Elements<T>.Write(writer, value, context);
    }

    public override T[] Read(ref MessagePackReader reader, ReadContext context) => Elements<T>.ReadArray(ref reader, context, register: true);
}

/// <summary>byte[] travels as MessagePack binary.</summary>
internal sealed class ByteArrayFormatter : Formatter<byte[]>
{
    public override void Write(MessagePackWriter writer, byte[] value, WriteContext context) => writer.WriteBinary(value);

    public override byte[] Read(ref MessagePackReader reader, ReadContext context)
    {
        if (reader.PeekKind() == MessagePackKind.Array)
        {
            byte[] fromArray = new byte[reader.ReadArrayHeader()];
            context.OnCreated(fromArray);
            Elements<byte>.Read(ref reader, fromArray, context);
            return fromArray;
        }
        byte[] bytes = reader.ReadBinary().ToArray();
        context.OnCreated(bytes);
        return bytes;
    }
}

/// <summary>List&lt;T&gt; travels like an array.</summary>
internal sealed class ListFormatter<T> : Formatter<List<T>>
{
    public override void Write(MessagePackWriter writer, List<T> value, WriteContext context) =>
        Elements<T>.WriteSpan(writer, CollectionsMarshal.AsSpan(value), context);

    public override List<T> Read(ref MessagePackReader reader, ReadContext context)
    {
        var list = new List<T>();
        context.OnCreated(list);
        if (RawBlock<T>.Applies && RawBlock<T>.IsNext(ref reader))
        {
            ReadOnlySpan<T> raw = RawBlock<T>.Read(ref reader);
            CollectionsMarshal.SetCount(list, raw.Length);
            raw.CopyTo(CollectionsMarshal.AsSpan(list));
            return list;
        }
        int count = reader.ReadArrayHeader();
        CollectionsMarshal.SetCount(list, count);
        Elements<T>.Read(ref reader, CollectionsMarshal.AsSpan(list), context);
        return list;
    }
}

internal sealed class ImmutableArrayFormatter<T> : Formatter<ImmutableArray<T>>
{
    public override void Write(MessagePackWriter writer, ImmutableArray<T> value, WriteContext context)
    {
        if (value.IsDefault) writer.WriteNil();
        else Elements<T>.WriteSpan(writer, value.AsSpan(), context);
    }

    public override ImmutableArray<T> Read(ref MessagePackReader reader, ReadContext context) =>
        reader.TryReadNil() ? default : ImmutableCollectionsMarshal.AsImmutableArray(Elements<T>.ReadArray(ref reader, context, register: false));
}

internal sealed class ArraySegmentFormatter<T> : Formatter<ArraySegment<T>>
{
    public override void Write(MessagePackWriter writer, ArraySegment<T> value, WriteContext context) =>
        Elements<T>.WriteSpan(writer, value.AsSpan(), context);

    public override ArraySegment<T> Read(ref MessagePackReader reader, ReadContext context) => new(Elements<T>.ReadArray(ref reader, context, register: false));
}

internal sealed class MemoryFormatter<T> : Formatter<Memory<T>>
{
    public override void Write(MessagePackWriter writer, Memory<T> value, WriteContext context) => Elements<T>.WriteSpan(writer, value.Span, context);

    public override Memory<T> Read(ref MessagePackReader reader, ReadContext context) => Elements<T>.ReadArray(ref reader, context, register: false);
}

internal sealed class ReadOnlyMemoryFormatter<T> : Formatter<ReadOnlyMemory<T>>
{
    public override void Write(MessagePackWriter writer, ReadOnlyMemory<T> value, WriteContext context) => Elements<T>.WriteSpan(writer, value.Span, context);

    public override ReadOnlyMemory<T> Read(ref MessagePackReader reader, ReadContext context) => Elements<T>.ReadArray(ref reader, context, register: false);
}

/// <summary>Multi-dimensional arrays: <c>[[length of each dimension], elements in row-major order]</c>.</summary>
internal sealed class MultiDimensionalArrayFormatter<TArray, T> : Formatter<TArray> where TArray : class
{
    private static readonly int Rank = typeof(TArray).GetArrayRank();

    public override void Write(MessagePackWriter writer, TArray value, WriteContext context)
    {
        var array = (Array)(object)value;
        writer.WriteArrayHeader(2);
        writer.WriteArrayHeader(Rank);
        for (int dimension = 0; dimension < Rank; dimension++) writer.WriteInt32(array.GetLength(dimension));
        int length = checked((int)array.LongLength);
        if (RawBlock<T>.Applies && context.Options.RawBlocks) RawBlock<T>.Write(writer, array, 0, length);
        else Elements<T>.Write(writer, Flatten(array, length), context);
    }

    public override TArray Read(ref MessagePackReader reader, ReadContext context)
    {
        int start = reader.Position;
        if (reader.ReadArrayHeader() != 2 || reader.ReadArrayHeader() != Rank)
            throw new WrenSerializationException($"a {Rank}-dimensional array at byte {start} must be [[{Rank} lengths], elements]");
        var lengths = new int[Rank];
        long total = 1;
        for (int dimension = 0; dimension < Rank; dimension++)
        {
            lengths[dimension] = reader.ReadInt32();
            if (lengths[dimension] < 0) throw new WrenSerializationException($"a dimension of the array at byte {start} has negative length {lengths[dimension]}");
            total *= lengths[dimension];
            if (total > reader.Remaining) throw new WrenSerializationException($"the array at byte {start} declares {total}+ elements but only {reader.Remaining} bytes remain");
        }
        var array = Array.CreateInstance(typeof(T), lengths);
        context.OnCreated(array);
        Span<T> flat = Flatten(array, (int)total);
        if (RawBlock<T>.Applies && RawBlock<T>.IsNext(ref reader))
        {
            ReadOnlySpan<T> raw = RawBlock<T>.Read(ref reader);
            if (raw.Length != total) throw new WrenSerializationException($"the array at byte {start} declares {total} elements but its block holds {raw.Length}");
            raw.CopyTo(flat);
        }
        else
        {
            int count = reader.ReadArrayHeader();
            if (count != total) throw new WrenSerializationException($"the array at byte {start} declares {total} elements but holds {count}");
            Elements<T>.Read(ref reader, flat, context);
        }
        return (TArray)(object)array;
    }

    private static Span<T> Flatten(Array array, int length) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(array)), length);
}
