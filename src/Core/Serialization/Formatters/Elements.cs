using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Wren.Serialization.MessagePack;

namespace Wren.Serialization.Formatters;

/// <summary>Writes and reads the elements of sequences, adding the element's index to the path of any failure.</summary>
internal static class Elements<T>
{
    public static void Write(MessagePackWriter writer, ReadOnlySpan<T> values, WriteContext context)
    {
        if (typeof(T) == typeof(double))
        {
            // The common numeric array: float64 elements written in one pass.
            writer.WriteFloat64Array(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(values)), values.Length));
            return;
        }
        writer.WriteArrayHeader(values.Length);
        Formatter<T> formatter = FormatterCache<T>.Instance;
        for (int i = 0; i < values.Length; i++)
        {
            try
            {
                formatter.Write(writer, values[i], context);
            }
            catch (Exception e) when (ErrorPath.Index(e, i))
            {
                throw;
            }
        }
    }

    /// <summary>Writes a whole array; a large double[] is converted straight into the final output.</summary>
    public static void Write(MessagePackWriter writer, T[] values, WriteContext context)
    {
        if (typeof(T) == typeof(double)) writer.WriteFloat64Array(Unsafe.As<double[]>(values));
        else Write(writer, new ReadOnlySpan<T>(values), context);
    }

    public static void Write(MessagePackWriter writer, IEnumerable<T> values, int count, WriteContext context)
    {
        writer.WriteArrayHeader(count);
        Formatter<T> formatter = FormatterCache<T>.Instance;
        int i = 0;
        foreach (T value in values)
        {
            if (i == count) throw new WrenSerializationException($"the collection changed while it was being written: it had {count} elements and then more");
            try
            {
                formatter.Write(writer, value, context);
            }
            catch (Exception e) when (ErrorPath.Index(e, i))
            {
                throw;
            }
            i++;
        }
        if (i != count) throw new WrenSerializationException($"the collection changed while it was being written: it had {count} elements and then {i}");
    }

    /// <summary>Reads <paramref name="destination"/>.Length elements of a MessagePack array whose header was read.</summary>
    public static void Read(ref MessagePackReader reader, Span<T> destination, ReadContext context)
    {
        if (typeof(T) == typeof(double))
        {
            // Runs of float64 in one pass; any other number (another writer's integers, float32) one at a time.
            Span<double> doubles = MemoryMarshal.CreateSpan(ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(destination)), destination.Length);
            int i = 0;
            while ((i += reader.ReadFloat64Run(doubles[i..])) < doubles.Length)
            {
                doubles[i] = Elements<double>.ReadOne(ref reader, context, i);
                i++;
            }
            return;
        }
        Formatter<T> formatter = FormatterCache<T>.Instance;
        for (int i = 0; i < destination.Length; i++)
        {
            try
            {
                destination[i] = formatter.Read(ref reader, context);
            }
            catch (Exception e) when (ErrorPath.Index(e, i))
            {
                throw;
            }
        }
    }

    public static T ReadOne(ref MessagePackReader reader, ReadContext context, int index)
    {
        try
        {
            return FormatterCache<T>.Instance.Read(ref reader, context);
        }
        catch (Exception e) when (ErrorPath.Index(e, index))
        {
            throw;
        }
    }

    /// <summary>Reads an array, or a raw block when the elements are unmanaged, into a new array.</summary>
    public static T[] ReadArray(ref MessagePackReader reader, ReadContext context, bool register)
    {
        if (RawBlock<T>.Applies && RawBlock<T>.IsNext(ref reader))
        {
            ReadOnlySpan<T> raw = RawBlock<T>.Read(ref reader);
            T[] copy = GC.AllocateUninitializedArray<T>(raw.Length);
            raw.CopyTo(copy);
            if (register) context.OnCreated(copy);
            return copy;
        }
        int count = reader.ReadArrayHeader();
        // Every element is assigned below (or the read fails and the array is dropped), so values without references
        // need not be zeroed first.
        T[] array = count == 0 ? [] : RuntimeHelpers.IsReferenceOrContainsReferences<T>() ? new T[count] : GC.AllocateUninitializedArray<T>(count);
        if (register) context.OnCreated(array);
        Read(ref reader, array, context);
        return array;
    }

    /// <summary>Writes a span as a raw block when the options and the element type allow, else as an array.</summary>
    public static void WriteSpan(MessagePackWriter writer, ReadOnlySpan<T> values, WriteContext context)
    {
        if (RawBlock<T>.Applies && context.Options.RawBlocks) RawBlock<T>.Write(writer, values);
        else Write(writer, values, context);
    }
}
