using System.Reflection;
using System.Reflection.Emit;
using Wren.Serialization.MessagePack;

namespace Wren.Serialization.Formatters;

/// <summary>
/// Classes and structs written member by member: a map from member name to value (or, for tuples, an array of values).
/// The code that reads and writes the fields is generated once per type, so private and read-only fields cost what
/// public ones do, and no constructor has to match.
/// </summary>
internal sealed class MemberFormatter<T> : Formatter<T>
{
    private delegate void WriteMembers(MessagePackWriter writer, T value, WriteContext context);

    private delegate T ReadMembers(ref MessagePackReader reader, ReadContext context);

    private readonly WriteMembers _write;
    private readonly ReadMembers _read;

    public MemberFormatter(MemberTable table)
    {
        _write = (WriteMembers)MemberCode.EmitWrite(table, typeof(T)).CreateDelegate(typeof(WriteMembers), table);
        _read = (ReadMembers)MemberCode.EmitRead(table, typeof(T)).CreateDelegate(typeof(ReadMembers), table);
    }

    public override void Write(MessagePackWriter writer, T value, WriteContext context) => _write(writer, value, context);

    public override T Read(ref MessagePackReader reader, ReadContext context) => _read(ref reader, context);
}

/// <summary>Emits the IL behind <see cref="MemberFormatter{T}"/>.</summary>
internal static class MemberCode
{
    private static readonly Dictionary<Type, string> DirectWrites = new()
    {
        [typeof(int)] = nameof(MessagePackWriter.WriteInt32),
        [typeof(long)] = nameof(MessagePackWriter.WriteInt64),
        [typeof(double)] = nameof(MessagePackWriter.WriteDouble),
        [typeof(float)] = nameof(MessagePackWriter.WriteSingle),
        [typeof(bool)] = nameof(MessagePackWriter.WriteBoolean),
        [typeof(string)] = nameof(MessagePackWriter.WriteString),
    };

    private static readonly Dictionary<Type, string> DirectReads = new()
    {
        [typeof(int)] = nameof(MessagePackReader.ReadInt32),
        [typeof(long)] = nameof(MessagePackReader.ReadInt64),
        [typeof(double)] = nameof(MessagePackReader.ReadDouble),
        [typeof(float)] = nameof(MessagePackReader.ReadSingle),
        [typeof(bool)] = nameof(MessagePackReader.ReadBoolean),
        [typeof(string)] = nameof(MessagePackReader.ReadString),
    };

    private static readonly MethodInfo AddMemberPath = typeof(MemberTable).GetMethod(nameof(MemberTable.AddMemberPath))!;

    // Signature: (MemberTable table, MessagePackWriter writer, T value, WriteContext context).
    public static DynamicMethod EmitWrite(MemberTable table, Type type)
    {
        var method = new DynamicMethod($"Write_{type.Name}", null, [typeof(MemberTable), typeof(MessagePackWriter), type, typeof(WriteContext)], typeof(MemberTable).Module, skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        var locals = new WriteLocals(
            Current: il.DeclareLocal(typeof(int)),
            Error: il.DeclareLocal(typeof(Exception)),
            Keys: il.DeclareLocal(typeof(byte[][])),
            Room: il.DeclareLocal(typeof(byte).MakeByRefType()),
            Offset: il.DeclareLocal(typeof(int)));

        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Call, typeof(MemberTable).GetProperty(nameof(MemberTable.PaddedKeys))!.GetMethod!);
        il.Emit(OpCodes.Stloc, locals.Keys);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldc_I4, table.Fields.Count);
        il.Emit(OpCodes.Callvirt, Method(typeof(MessagePackWriter), table.Positional ? nameof(MessagePackWriter.WriteArrayHeader) : nameof(MessagePackWriter.WriteMapHeader)));
        il.BeginExceptionBlock();
        for (int i = 0; i < table.Fields.Count;)
        {
            if (Encoder(table.Fields[i].FieldType) is null)
            {
                EmitWriteMember(il, table, type, i, locals);
                i++;
                continue;
            }
            int end = i;
            while (end < table.Fields.Count && Encoder(table.Fields[end].FieldType) is not null) end++;
            EmitWriteRun(il, table, type, i, end, locals);
            i = end;
        }
        EmitCatch(il, locals.Current, locals.Error);
        il.EndExceptionBlock();
        il.Emit(OpCodes.Ret);
        return method;
    }

    private sealed record WriteLocals(LocalBuilder Current, LocalBuilder Error, LocalBuilder Keys, LocalBuilder Room, LocalBuilder Offset);

    /// <summary>The <see cref="MessagePackEncoder"/> method for a member of this type (with a widening first for uint), or null.</summary>
    private static (MethodInfo Method, bool WidenUnsigned)? Encoder(Type type)
    {
        if (type.IsEnum) return null;
        string? name = Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => nameof(MessagePackEncoder.Boolean),
            TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Char or TypeCode.Int32 => nameof(MessagePackEncoder.Int32),
            TypeCode.UInt32 or TypeCode.Int64 => nameof(MessagePackEncoder.Int64),
            TypeCode.UInt64 => nameof(MessagePackEncoder.UInt64),
            TypeCode.Single => nameof(MessagePackEncoder.Single),
            TypeCode.Double => nameof(MessagePackEncoder.Double),
            _ => null,
        };
        return name is null ? null : (typeof(MessagePackEncoder).GetMethod(name)!, type == typeof(uint));
    }

    // One member (its key, then its value) through the writer's methods or the member type's formatter.
    private static void EmitWriteMember(ILGenerator il, MemberTable table, Type type, int i, WriteLocals locals)
    {
        FieldInfo field = table.Fields[i];
        il.Emit(OpCodes.Ldc_I4, i);
        il.Emit(OpCodes.Stloc, locals.Current);
        if (!table.Positional)
        {
            // The key's length is a constant in the generated code.
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldloc, locals.Keys);
            il.Emit(OpCodes.Ldc_I4, i);
            il.Emit(OpCodes.Ldelem_Ref);
            il.Emit(OpCodes.Ldc_I4, table.Keys[i].Length);
            il.Emit(OpCodes.Callvirt, Method(typeof(MessagePackWriter), nameof(MessagePackWriter.WritePadded)));
        }
        if (DirectWrites.TryGetValue(field.FieldType, out string? direct))
        {
            il.Emit(OpCodes.Ldarg_1);
            LoadField(il, type, field);
            il.Emit(OpCodes.Callvirt, Method(typeof(MessagePackWriter), direct, field.FieldType));
        }
        else
        {
            Type formatter = typeof(Formatter<>).MakeGenericType(field.FieldType);
            il.Emit(OpCodes.Ldsfld, typeof(FormatterCache<>).MakeGenericType(field.FieldType).GetField("Instance")!);
            il.Emit(OpCodes.Ldarg_1);
            LoadField(il, type, field);
            il.Emit(OpCodes.Ldarg_3);
            il.Emit(OpCodes.Callvirt, formatter.GetMethod(nameof(Formatter<int>.Write))!);
        }
    }

    // Members [start, end), all of types with an encoder: one check for room for the largest form of them all (keys
    // with their padding), then each key and value encoded at an offset kept in a local, then one advance.
    private static void EmitWriteRun(ILGenerator il, MemberTable table, Type type, int start, int end, WriteLocals locals)
    {
        int room = 0;
        for (int i = start; i < end; i++)
            room += (table.Positional ? 0 : table.PaddedKeys[i].Length) + MessagePackEncoder.MaxSize(table.Fields[i].FieldType);

        // Only making room can fail in a run: a failure names the run's first member.
        il.Emit(OpCodes.Ldc_I4, start);
        il.Emit(OpCodes.Stloc, locals.Current);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldc_I4, room);
        il.Emit(OpCodes.Callvirt, Method(typeof(MessagePackWriter), nameof(MessagePackWriter.GetRoom)));
        il.Emit(OpCodes.Stloc, locals.Room);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stloc, locals.Offset);
        for (int i = start; i < end; i++)
        {
            FieldInfo field = table.Fields[i];
            if (!table.Positional)
            {
                int key = i;
                EmitEncode(il, locals, typeof(MessagePackEncoder).GetMethod(nameof(MessagePackEncoder.Padded))!, () =>
                {
                    il.Emit(OpCodes.Ldloc, locals.Keys);
                    il.Emit(OpCodes.Ldc_I4, key);
                    il.Emit(OpCodes.Ldelem_Ref);
                    il.Emit(OpCodes.Ldc_I4, table.Keys[key].Length);
                });
            }
            (MethodInfo encoder, bool widenUnsigned) = Encoder(field.FieldType)!.Value;
            EmitEncode(il, locals, encoder, () =>
            {
                LoadField(il, type, field);
                if (widenUnsigned) il.Emit(OpCodes.Conv_U8);
            });
        }
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloc, locals.Offset);
        il.Emit(OpCodes.Callvirt, Method(typeof(MessagePackWriter), nameof(MessagePackWriter.Advance)));
    }

    // offset += encoder(ref room[offset], arguments...)
    private static void EmitEncode(ILGenerator il, WriteLocals locals, MethodInfo encoder, Action loadArguments)
    {
        il.Emit(OpCodes.Ldloc, locals.Offset);
        il.Emit(OpCodes.Ldloc, locals.Room);
        il.Emit(OpCodes.Ldloc, locals.Offset);
        il.Emit(OpCodes.Conv_I);
        il.Emit(OpCodes.Add);
        loadArguments();
        il.Emit(OpCodes.Call, encoder);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, locals.Offset);
    }

    private static void LoadField(ILGenerator il, Type type, FieldInfo field)
    {
        il.Emit(type.IsValueType ? OpCodes.Ldarga_S : OpCodes.Ldarg_S, (byte)2);
        il.Emit(OpCodes.Ldfld, field);
    }

    // An exception filter that adds the member's name to the failure's path and declines to catch it.
    private static void EmitCatch(ILGenerator il, LocalBuilder current, LocalBuilder error)
    {
        il.BeginExceptFilterBlock();
        il.Emit(OpCodes.Castclass, typeof(Exception));
        il.Emit(OpCodes.Stloc, error);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldloc, error);
        il.Emit(OpCodes.Ldloc, current);
        il.Emit(OpCodes.Call, AddMemberPath);
        il.BeginCatchBlock(null);
        il.Emit(OpCodes.Rethrow);
    }

    // Signature: (MemberTable table, ref MessagePackReader reader, ReadContext context) -> T.
    public static DynamicMethod EmitRead(MemberTable table, Type type)
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

    private static MethodInfo Method(Type type, string name, params Type[] parameters) =>
        (parameters.Length == 0 ? type.GetMethod(name, BindingFlags.Instance | BindingFlags.Public, Type.EmptyTypes) ?? type.GetMethod(name) : type.GetMethod(name, parameters))
        ?? throw new InvalidOperationException($"{type.Name}.{name} not found");
}
