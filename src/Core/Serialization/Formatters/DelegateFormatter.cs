using System.Reflection;
using Wren.Serialization.MessagePack;
using Wren.Serialization.Types;

namespace Wren.Serialization.Formatters;

/// <summary>
/// A delegate as <c>[declaring type, method name, metadata token, [generic arguments], target]</c>: the exact method
/// (the reading side has the same assembly, shipped by hash) and the object it closes over, written like any value.
/// Only when <see cref="WrenSerializerOptions.Delegates"/> is on; otherwise delegates cannot travel.
/// </summary>
internal sealed class DelegateFormatter<T> : Formatter<T> where T : Delegate
{
    private static readonly string Disabled =
        $"{TypeSupport.Name(typeof(T))} is a delegate; delegates travel only as the function Wren ships (and inside its closure), not inside other values: capture the data it needs instead";

    public override void Write(MessagePackWriter writer, T value, WriteContext context)
    {
        if (!context.Options.Delegates) throw new WrenSerializationException($"cannot serialize: {Disabled}");
        if (value.HasSingleTarget is false)
            throw new WrenSerializationException("cannot serialize: the delegate combines several methods (a multicast delegate); pass one function");
        MethodInfo method = value.Method;
        if (method is System.Reflection.Emit.DynamicMethod || method.DeclaringType is null || method.Module.Assembly.IsDynamic)
            throw new WrenSerializationException($"cannot serialize: the delegate points to a dynamically generated method ({method.Name}), such as a compiled expression tree, which exists only in this process; use a lambda or a method instead");
        writer.WriteArrayHeader(5);
        writer.WriteString(TypeNames.Format(method.DeclaringType));
        writer.WriteString(method.Name);
        writer.WriteInt32(method.MetadataToken);
        Type[] generic = method.IsGenericMethod ? method.GetGenericArguments() : [];
        writer.WriteArrayHeader(generic.Length);
        foreach (Type argument in generic) writer.WriteString(TypeNames.Format(argument));
        FormatterCache<object?>.Instance.Write(writer, value.Target, context);
    }

    public override T Read(ref MessagePackReader reader, ReadContext context)
    {
        int start = reader.Position;
        if (!context.Options.Delegates) throw new WrenSerializationException($"cannot deserialize: {Disabled}");
        if (reader.ReadArrayHeader() != 5) throw new WrenSerializationException($"the delegate at byte {start} must be [type, method, token, generic arguments, target]");
        Type declaringType = context.Types.ResolveForMethods(reader.ReadStringBytes());
        string name = reader.ReadString() ?? "";
        int token = reader.ReadInt32();
        var generic = new Type[reader.ReadArrayHeader()];
        for (int i = 0; i < generic.Length; i++) generic[i] = context.Types.ResolveForMethods(reader.ReadStringBytes());
        object? target = FormatterCache<object?>.Instance.Read(ref reader, context);

        const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        MethodInfo method = declaringType.GetMethods(all).FirstOrDefault(m => m.MetadataToken == token && m.Name == name)
            ?? throw new WrenSerializationException($"method {name} (token 0x{token:x8}) is not in {TypeSupport.Name(declaringType)} on this side; the code here is a different build from the caller's");
        if (method.IsGenericMethodDefinition) method = method.MakeGenericMethod(generic);
        try
        {
            return (T)Delegate.CreateDelegate(typeof(T), method.IsStatic ? null : target, method);
        }
        catch (ArgumentException e)
        {
            throw new WrenSerializationException($"method {name} of {TypeSupport.Name(declaringType)} does not fit delegate type {TypeSupport.Name(typeof(T))}: {e.Message}");
        }
    }
}
