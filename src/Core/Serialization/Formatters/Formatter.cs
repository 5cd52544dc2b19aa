using Wren.Serialization.MessagePack;

namespace Wren.Serialization.Formatters;

/// <summary>Writes and reads values of one type; the untyped face is for values whose type is known only at run time.</summary>
internal abstract class Formatter
{
    public abstract void WriteObject(MessagePackWriter writer, object? value, WriteContext context);

    public abstract object? ReadObject(ref MessagePackReader reader, ReadContext context);
}

/// <summary>Writes and reads values of <typeparamref name="T"/>.</summary>
internal abstract class Formatter<T> : Formatter
{
    public abstract void Write(MessagePackWriter writer, T value, WriteContext context);

    public abstract T Read(ref MessagePackReader reader, ReadContext context);

    public sealed override void WriteObject(MessagePackWriter writer, object? value, WriteContext context) => Write(writer, (T)value!, context);

    public sealed override object? ReadObject(ref MessagePackReader reader, ReadContext context) => Read(ref reader, context);
}
