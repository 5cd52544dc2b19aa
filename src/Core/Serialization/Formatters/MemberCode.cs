using System.Reflection;
using System.Reflection.Emit;

namespace Wren.Serialization.Formatters;

/// <summary>What <see cref="MemberWriteCode"/> and <see cref="MemberReadCode"/> both emit or look up.</summary>
internal static class MemberCode
{
    private static readonly MethodInfo AddMemberPath = typeof(MemberTable).GetMethod(nameof(MemberTable.AddMemberPath))!;

    public static void LoadField(ILGenerator il, Type type, FieldInfo field)
    {
        il.Emit(type.IsValueType ? OpCodes.Ldarga_S : OpCodes.Ldarg_S, (byte)2);
        il.Emit(OpCodes.Ldfld, field);
    }

    // An exception filter that adds the member's name to the failure's path and declines to catch it.
    public static void EmitCatch(ILGenerator il, LocalBuilder current, LocalBuilder error)
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

    public static MethodInfo Method(Type type, string name, params Type[] parameters) =>
        (parameters.Length == 0 ? type.GetMethod(name, BindingFlags.Instance | BindingFlags.Public, Type.EmptyTypes) ?? type.GetMethod(name) : type.GetMethod(name, parameters))
        ?? throw new InvalidOperationException($"{type.Name}.{name} not found");
}
