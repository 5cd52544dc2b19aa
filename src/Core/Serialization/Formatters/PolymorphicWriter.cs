using System.Collections.Concurrent;
using Wren.Serialization.MessagePack;
using Wren.Serialization.Types;

namespace Wren.Serialization.Formatters;

/// <summary>
/// Writes a value whose runtime type differs from its declared type as <c>[type name, value]</c>, and reads it back.
/// Framework types that data may not name (a LINQ iterator, a dictionary's key collection) are written as the plain
/// collection they enumerate: a list, set or dictionary.
/// </summary>
internal sealed class PolymorphicWriter(Type declared, Type? defaultImplementation = null)
{
    private readonly ConcurrentDictionary<Type, (Type? Tag, Formatter Formatter)> _plans = new();

    public void Write(MessagePackWriter writer, object value, Type runtimeType, Formatter? declaredCore, WriteContext context)
    {
        (Type? tag, Formatter formatter) = _plans.GetOrAdd(runtimeType, Plan, declaredCore);
        if (tag is not null)
        {
            writer.WriteArrayHeader(2);
            context.WriteTypeName(writer, tag);
        }
        formatter.WriteObject(writer, value, context);
    }

    public static void WriteTagged(MessagePackWriter writer, object value, Type runtimeType, WriteContext context)
    {
        writer.WriteArrayHeader(2);
        context.WriteTypeName(writer, runtimeType);
        Formatters.ForCore(runtimeType).WriteObject(writer, value, context);
    }

    private (Type? Tag, Formatter Formatter) Plan(Type runtimeType, Formatter? declaredCore)
    {
        if (runtimeType == defaultImplementation && declaredCore is not null) return (null, declaredCore);
        bool lazySequence = CollectionTypes.IsCompilerGeneratedSequence(runtimeType);
        if (!lazySequence && (!FrameworkTypes.IsFramework(runtimeType) || FrameworkTypes.IsAllowedFrameworkType(runtimeType)))
            return (runtimeType, Formatters.ForCore(runtimeType));
        if (typeof(Type).IsAssignableFrom(runtimeType)) return (typeof(Type), Formatters.ForCore(typeof(Type)));
        string? unsupported = TypeSupport.WhyUnsupported(runtimeType);
        if (unsupported is null)
        {
            (Type Type, Formatter Writer)? standIn = CollectionTypes.StandIn(runtimeType);
            if (standIn is { } found)
            {
                // A declared collection interface reads untagged data as its default collection; object needs the tag.
                return declaredCore is not null && declared.IsInterface ? (null, declaredCore) : (found.Type, found.Writer);
            }
            unsupported = $"{TypeSupport.Name(runtimeType)} is a framework type Wren has no format for; convert it to a supported type (an array, List<T>, Dictionary<K,V>, a string or a record of your own) before it is captured";
        }
        return (runtimeType, new UnsupportedFormatter(unsupported));
    }

    /// <summary>Whether the next value is <c>[type name, value]</c>.</summary>
    public static bool IsTagged(ref MessagePackReader reader) =>
        reader.PeekCode() == (MessagePackCode.MinFixArray | 2) && reader.PeekExtensionType(1) == WrenExtension.TypeName;

    public static object? ReadTagged(ref MessagePackReader reader, Type declared, ReadContext context)
    {
        reader.ReadArrayHeader();
        Type type = context.ReadTypeName(ref reader, declared);
        Formatter formatter = Formatters.ForCore(type);
        if (type.IsValueType) return formatter.ReadObject(ref reader, context);
        int slot = context.Reserve();
        context.Enter();
        object? value = formatter.ReadObject(ref reader, context);
        context.Exit();
        context.Complete(slot, value);
        return value;
    }

    public static WrenSerializationException NoConcreteType(Type declared, int position) =>
        new($"the data at byte {position} names no type, but {TypeSupport.Name(declared)} is abstract or an interface; it was written as a different type");
}
