using Wren.Serialization.MessagePack;

namespace Wren.Serialization.Formatters;

/// <summary>
/// Wraps the formatter of a class with what every reference needs: null, back-references to objects already written
/// (shared objects and cycles), and the type name when the runtime type is not the declared one.
/// </summary>
internal sealed class ReferenceFormatter<T>(Formatter<T>? core, Type? defaultImplementation) : Formatter<T> where T : class?
{
    private readonly PolymorphicWriter _polymorphic = new(typeof(T), defaultImplementation);

    public override void Write(MessagePackWriter writer, T value, WriteContext context)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        Type type = value.GetType();
        if (type.IsValueType)
        {
            PolymorphicWriter.WriteTagged(writer, value, type, context);
            return;
        }
        if (context.TryWriteBackReference(writer, value)) return;
        context.Enter();
        if (type == typeof(T) && core is not null) core.Write(writer, value, context);
        else _polymorphic.Write(writer, value, type, core, context);
        context.Exit();
    }

    public override T Read(ref MessagePackReader reader, ReadContext context)
    {
        byte code = reader.PeekCode();
        if (code == MessagePackCode.Nil)
        {
            reader.TryReadNil();
            return null!;
        }
        if (MessagePackReader.IsExtension(code) && reader.PeekExtensionType() == WrenExtension.BackReference)
            return (T)context.ReadBackReference(ref reader, typeof(T))!;
        if (code == (MessagePackCode.MinFixArray | 2) && PolymorphicWriter.IsTagged(ref reader))
            return (T)PolymorphicWriter.ReadTagged(ref reader, typeof(T), context)!;
        if (core is null) throw PolymorphicWriter.NoConcreteType(typeof(T), reader.Position);
        int slot = context.Reserve();
        context.Enter();
        T value = core.Read(ref reader, context);
        context.Exit();
        context.Complete(slot, value);
        return value;
    }
}
