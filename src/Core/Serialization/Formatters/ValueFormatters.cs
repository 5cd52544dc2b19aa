using System.Runtime.CompilerServices;
using Wren.Serialization.MessagePack;
using Wren.Serialization.Types;

namespace Wren.Serialization.Formatters;

internal sealed class NullableFormatter<T> : Formatter<T?> where T : struct
{
    public override void Write(MessagePackWriter writer, T? value, WriteContext context)
    {
        if (value is { } present) FormatterCache<T>.Instance.Write(writer, present, context);
        else writer.WriteNil();
    }

    public override T? Read(ref MessagePackReader reader, ReadContext context) =>
        reader.TryReadNil() ? null : FormatterCache<T>.Instance.Read(ref reader, context);
}

/// <summary>Enums travel as their underlying integer.</summary>
internal sealed class EnumFormatter<TEnum, TUnderlying> : Formatter<TEnum> where TEnum : struct, Enum
{
    public override void Write(MessagePackWriter writer, TEnum value, WriteContext context) =>
        FormatterCache<TUnderlying>.Instance.Write(writer, Unsafe.As<TEnum, TUnderlying>(ref value), context);

    public override TEnum Read(ref MessagePackReader reader, ReadContext context)
    {
        TUnderlying underlying = FormatterCache<TUnderlying>.Instance.Read(ref reader, context);
        return Unsafe.As<TUnderlying, TEnum>(ref underlying);
    }
}

/// <summary>A <see cref="Type"/> travels as its Wren type name, and is read back only if the allow-list permits it.</summary>
internal sealed class TypeFormatter : Formatter<Type?>
{
    public override void Write(MessagePackWriter writer, Type? value, WriteContext context)
    {
        if (value is null) writer.WriteNil();
        else writer.WriteString(TypeNames.Format(value));
    }

    public override Type? Read(ref MessagePackReader reader, ReadContext context)
    {
        if (reader.TryReadNil()) return null;
        return context.Types.Resolve(reader.ReadStringBytes());
    }
}

internal sealed class UriFormatter : Formatter<Uri>
{
    public override void Write(MessagePackWriter writer, Uri value, WriteContext context) => writer.WriteString(value.OriginalString);

    public override Uri Read(ref MessagePackReader reader, ReadContext context)
    {
        int start = reader.Position;
        string text = reader.ReadString() ?? throw new WrenSerializationException($"expected a URI string at byte {start}");
        return Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out Uri? uri) ? uri : throw new WrenSerializationException($"the string at byte {start} is not a URI");
    }
}

internal sealed class VersionFormatter : Formatter<Version>
{
    public override void Write(MessagePackWriter writer, Version value, WriteContext context) => writer.WriteString(value.ToString());

    public override Version Read(ref MessagePackReader reader, ReadContext context)
    {
        int start = reader.Position;
        return Version.TryParse(reader.ReadString(), out Version? version) ? version : throw new WrenSerializationException($"the value at byte {start} is not a version");
    }
}
