using Wren.Serialization.MessagePack;

namespace Wren.Serialization.Formatters;

/// <summary>Stands for a type that cannot travel: writing or reading a value of it fails with the reason.</summary>
internal sealed class UnsupportedFormatter(string reason) : Formatter
{
    public override void WriteObject(MessagePackWriter writer, object? value, WriteContext context)
    {
        if (value is null) writer.WriteNil();
        else throw new WrenSerializationException($"cannot serialize: {Types.TypeSupport.WhyUnsupported(value.GetType()) ?? reason}");
    }

    public override object? ReadObject(ref MessagePackReader reader, ReadContext context)
    {
        if (reader.TryReadNil()) return null;
        throw new WrenSerializationException($"cannot deserialize: {reason}");
    }
}

/// <summary>The typed face of <see cref="UnsupportedFormatter"/>: null travels, anything else fails with the reason.</summary>
internal sealed class UnsupportedFormatter<T>(string reason) : Formatter<T>
{
    private readonly UnsupportedFormatter _untyped = new(reason);

    public override void Write(MessagePackWriter writer, T value, WriteContext context) => _untyped.WriteObject(writer, value, context);

    public override T Read(ref MessagePackReader reader, ReadContext context) => _untyped.ReadObject(ref reader, context) is T value ? value : default!;
}
