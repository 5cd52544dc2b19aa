using Wren.Serialization.MessagePack;

namespace Wren.Serialization.Formatters;

/// <summary>
/// Values declared as <c>object</c>. Strings, booleans, ints, doubles, byte arrays, <c>object[]</c> and
/// <c>Dictionary&lt;object, object?&gt;</c> use plain MessagePack (what any other library writes reads back as these);
/// everything else is written as <c>[type name, value]</c>.
/// </summary>
internal sealed class UntypedFormatter : Formatter<object?>
{
    private readonly PolymorphicWriter _polymorphic = new(typeof(object));

    public override void Write(MessagePackWriter writer, object? value, WriteContext context)
    {
        switch (value)
        {
            case null: writer.WriteNil(); return;
            case string text: writer.WriteString(text); return;
            case bool flag: writer.WriteBoolean(flag); return;
            case int number: writer.WriteInt32(number); return;
            case double number: writer.WriteFloat64(number); return;
            case MessagePackExtension extension: new ExtensionFormatter().Write(writer, extension, context); return;
        }
        Type type = value.GetType();
        if (type.IsValueType)
        {
            PolymorphicWriter.WriteTagged(writer, value, type, context);
            return;
        }
        if (context.TryWriteBackReference(writer, value)) return;
        context.Enter();
        switch (value)
        {
            case byte[] bytes when type == typeof(byte[]):
                writer.WriteBinary(bytes);
                break;
            case object?[] array when type == typeof(object[]):
                Elements<object?>.Write(writer, array, context);
                break;
            case Dictionary<object, object?> map when type == typeof(Dictionary<object, object?>) && map.Comparer == EqualityComparer<object>.Default:
                Entries<object, object?>.Write(writer, map, map.Count, context);
                break;
            default:
                _polymorphic.Write(writer, value, type, null, context);
                break;
        }
        context.Exit();
    }

    public override object? Read(ref MessagePackReader reader, ReadContext context)
    {
        byte code = reader.PeekCode();
        switch (MessagePackReader.KindOf(code))
        {
            case MessagePackKind.Nil:
                reader.TryReadNil();
                return null;
            case MessagePackKind.Boolean:
                return reader.ReadBoolean();
            case MessagePackKind.Integer:
                if (code == MessagePackCode.UInt64) { ulong big = reader.ReadUInt64(); return big <= long.MaxValue ? Narrow((long)big) : (object)big; }
                return Narrow(reader.ReadInt64());
            case MessagePackKind.Float:
                return code == MessagePackCode.Float32 ? (object)reader.ReadSingle() : reader.ReadDouble();
            case MessagePackKind.String:
                return reader.ReadString();
            case MessagePackKind.Binary:
                return Registered(reader.ReadBinary().ToArray(), context);
            case MessagePackKind.Array:
                return PolymorphicWriter.IsTagged(ref reader) ? PolymorphicWriter.ReadTagged(ref reader, typeof(object), context) : ReadArray(ref reader, context);
            case MessagePackKind.Map:
                return ReadMap(ref reader, context);
            case MessagePackKind.Extension:
                sbyte? extension = reader.PeekExtensionType();
                if (extension == WrenExtension.BackReference) return context.ReadBackReference(ref reader, typeof(object));
                if (extension == MessagePackCode.TimestampExtension) return Builtin.DateTime.Read(ref reader, context);
                sbyte type = reader.ReadExtension(out ReadOnlySpan<byte> payload);
                return new MessagePackExtension(type, payload.ToArray());
            default:
                throw MessagePackReader.Malformed($"found {MessagePackReader.Describe(code)} at byte {reader.Position}");
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "The box is the point: an untyped integer reads back as int when it fits, else as long.")]
    private static object Narrow(long value) => value is >= int.MinValue and <= int.MaxValue ? (object)(int)value : (object)value;

    private static byte[] Registered(byte[] bytes, ReadContext context)
    {
        context.Complete(context.Reserve(), bytes);
        return bytes;
    }

    private static object?[] ReadArray(ref MessagePackReader reader, ReadContext context)
    {
        int slot = context.Reserve();
        context.Enter();
        int count = reader.ReadArrayHeader();
        object?[] array = count == 0 ? [] : new object?[count];
        context.OnCreated(array);
        Elements<object?>.Read(ref reader, array, context);
        context.Exit();
        context.Complete(slot, array);
        return array;
    }

    private static Dictionary<object, object?> ReadMap(ref MessagePackReader reader, ReadContext context)
    {
        int slot = context.Reserve();
        context.Enter();
        int count = reader.ReadMapHeader();
        var map = new Dictionary<object, object?>(Math.Min(count, 1024));
        context.OnCreated(map);
        Entries<object, object?>.Read(ref reader, count, context, map, static (m, k, v) => m[k] = v);
        context.Exit();
        context.Complete(slot, map);
        return map;
    }
}
