using System.Reflection;
using System.Reflection.Emit;
using Wren.Serialization.MessagePack;
using static Wren.Serialization.Formatters.MemberCode;

namespace Wren.Serialization.Formatters;

/// <summary>
/// Emits the writing half of <see cref="MemberFormatter{T}"/>: the map (or array) header, then each member's key and
/// value; runs of fixed-size members are encoded after one check for room.
/// </summary>
internal static class MemberWriteCode
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

    // Signature: (MemberTable table, MessagePackWriter writer, T value, WriteContext context).
    public static DynamicMethod Emit(MemberTable table, Type type)
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
}
