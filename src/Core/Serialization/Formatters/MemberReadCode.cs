using System.Reflection;
using System.Reflection.Emit;
using Wren.Serialization.MessagePack;
using static Wren.Serialization.Formatters.MemberCode;

namespace Wren.Serialization.Formatters;

/// <summary>
/// Emits the reading half of <see cref="MemberFormatter{T}"/>: keys matched to members in any order (unknown ones
/// skipped), or the values of a positional type in order.
/// </summary>
internal static class MemberReadCode
{
    private static readonly Dictionary<Type, string> DirectReads = new()
    {
        [typeof(int)] = nameof(MessagePackReader.ReadInt32),
        [typeof(long)] = nameof(MessagePackReader.ReadInt64),
        [typeof(double)] = nameof(MessagePackReader.ReadDouble),
        [typeof(float)] = nameof(MessagePackReader.ReadSingle),
        [typeof(bool)] = nameof(MessagePackReader.ReadBoolean),
        [typeof(string)] = nameof(MessagePackReader.ReadString),
    };

    // Signature: (MemberTable table, ref MessagePackReader reader, ReadContext context) -> T.
    public static DynamicMethod Emit(MemberTable table, Type type)
    {
        Type readerRef = typeof(MessagePackReader).MakeByRefType();
        var method = new DynamicMethod($"Read_{type.Name}", type, [typeof(MemberTable), readerRef, typeof(ReadContext)], typeof(MemberTable).Module, skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        LocalBuilder instance = il.DeclareLocal(type);
        LocalBuilder count = il.DeclareLocal(typeof(int));
        LocalBuilder index = il.DeclareLocal(typeof(int));
        LocalBuilder current = il.DeclareLocal(typeof(int));
        LocalBuilder error = il.DeclareLocal(typeof(Exception));
        LocalBuilder start = il.DeclareLocal(typeof(int));

        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, typeof(MessagePackReader).GetProperty(nameof(MessagePackReader.Position))!.GetMethod!);
        il.Emit(OpCodes.Stloc, start);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, Method(typeof(MessagePackReader), table.Positional ? nameof(MessagePackReader.ReadArrayHeader) : nameof(MessagePackReader.ReadMapHeader)));
        il.Emit(OpCodes.Stloc, count);

        if (type.IsValueType)
        {
            il.Emit(OpCodes.Ldloca, instance);
            il.Emit(OpCodes.Initobj, type);
        }
        else
        {
            ConstructorInfo? constructor = type.IsAbstract ? null : type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes);
            if (constructor is not null)
            {
                il.Emit(OpCodes.Newobj, constructor);
            }
            else
            {
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Call, Method(typeof(MemberTable), nameof(MemberTable.CreateInstance)));
                il.Emit(OpCodes.Castclass, type);
            }
            il.Emit(OpCodes.Stloc, instance);
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Ldloc, instance);
            il.Emit(OpCodes.Callvirt, Method(typeof(ReadContext), nameof(ReadContext.OnCreated)));
        }

        il.Emit(OpCodes.Ldc_I4_M1);
        il.Emit(OpCodes.Stloc, current);
        il.BeginExceptionBlock();
        if (table.Positional) EmitPositionalRead(il, table, type, instance, count, current, start);
        else EmitKeyedRead(il, table, type, instance, count, index, current);
        EmitCatch(il, current, error);
        il.EndExceptionBlock();
        il.Emit(OpCodes.Ldloc, instance);
        il.Emit(OpCodes.Ret);
        return method;
    }

    private static void EmitKeyedRead(ILGenerator il, MemberTable table, Type type, LocalBuilder instance, LocalBuilder count, LocalBuilder index, LocalBuilder current)
    {
        Label loop = il.DefineLabel();
        Label next = il.DefineLabel();
        Label done = il.DefineLabel();
        Label[] cases = [.. table.Fields.Select(_ => il.DefineLabel())];

        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stloc, index);
        il.MarkLabel(loop);
        il.Emit(OpCodes.Ldloc, index);
        il.Emit(OpCodes.Ldloc, count);
        il.Emit(OpCodes.Bge, done);

        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloc, index);
        il.Emit(OpCodes.Call, Method(typeof(MemberTable), nameof(MemberTable.Match)));
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Stloc, current);
        il.Emit(OpCodes.Switch, cases);
        // A key this type does not have: skip its value.
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, Method(typeof(MessagePackReader), nameof(MessagePackReader.Skip)));
        il.Emit(OpCodes.Br, next);

        for (int i = 0; i < cases.Length; i++)
        {
            il.MarkLabel(cases[i]);
            EmitReadField(il, type, table.Fields[i], instance);
            il.Emit(OpCodes.Br, next);
        }

        il.MarkLabel(next);
        il.Emit(OpCodes.Ldloc, index);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, index);
        il.Emit(OpCodes.Br, loop);
        il.MarkLabel(done);
    }

    private static void EmitPositionalRead(ILGenerator il, MemberTable table, Type type, LocalBuilder instance, LocalBuilder count, LocalBuilder current, LocalBuilder start)
    {
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldloc, count);
        il.Emit(OpCodes.Ldloc, start);
        il.Emit(OpCodes.Call, Method(typeof(MemberTable), nameof(MemberTable.CheckCount)));
        for (int i = 0; i < table.Fields.Count; i++)
        {
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Stloc, current);
            EmitReadField(il, type, table.Fields[i], instance);
        }
    }

    private static void EmitReadField(ILGenerator il, Type type, FieldInfo field, LocalBuilder instance)
    {
        il.Emit(type.IsValueType ? OpCodes.Ldloca : OpCodes.Ldloc, instance);
        if (DirectReads.TryGetValue(field.FieldType, out string? direct))
        {
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, Method(typeof(MessagePackReader), direct));
        }
        else
        {
            Type formatter = typeof(Formatter<>).MakeGenericType(field.FieldType);
            il.Emit(OpCodes.Ldsfld, typeof(FormatterCache<>).MakeGenericType(field.FieldType).GetField("Instance")!);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Callvirt, formatter.GetMethod(nameof(Formatter<int>.Read))!);
        }
        il.Emit(OpCodes.Stfld, field);
    }
}
