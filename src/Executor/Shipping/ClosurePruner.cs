using System.Reflection;
using System.Runtime.CompilerServices;

namespace Wren.Shipping;

/// <summary>
/// C# gives all lambdas of a scope one shared closure object, so a lambda can hold <c>this</c> or locals it never uses.
/// This copies the closure keeping only the fields the function's code (and the local functions and lambdas it calls)
/// reads or writes, so that what ships, and what must be serializable, is what the function needs. When the code
/// cannot be read, the closure ships whole.
/// </summary>
internal static class ClosurePruner
{
    public static Delegate Prune(Delegate function)
    {
        if (function.Target is not { } target || !IsClosure(target.GetType())) return function;
        HashSet<(Module, int)>? used = UsedFields(function.Method);
        if (used is null) return function;
        var copies = new Dictionary<object, object>(ReferenceEqualityComparer.Instance);
        return Delegate.CreateDelegate(function.GetType(), Copy(target, used, copies), function.Method);
    }

    private static bool IsClosure(Type type) =>
        type.IsClass && type.Name.StartsWith("<>c__DisplayClass", StringComparison.Ordinal) && type.IsDefined(typeof(CompilerGeneratedAttribute), false);

    private static object Copy(object closure, HashSet<(Module, int)> used, Dictionary<object, object> copies)
    {
        if (copies.TryGetValue(closure, out object? done)) return done;
        Type type = closure.GetType();
        object copy = RuntimeHelpers.GetUninitializedObject(type);
        copies[closure] = copy;
        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (!used.Contains((field.Module, field.MetadataToken))) continue;
            object? value = field.GetValue(closure);
            if (value is not null && IsClosure(value.GetType())) value = Copy(value, used, copies);
            else if (value is Delegate nested && !ReferenceEquals(nested.Target, closure)) value = Prune(nested);
            field.SetValue(copy, value);
        }
        return copy;
    }

    /// <summary>Every field the method and the compiler-generated methods it calls name, or null if some code cannot be read.</summary>
    private static HashSet<(Module, int)>? UsedFields(MethodInfo method)
    {
        var used = new HashSet<(Module, int)>();
        var seen = new HashSet<MethodBase>();
        var pending = new Stack<MethodBase>([method]);
        while (pending.TryPop(out MethodBase? current))
        {
            if (!seen.Add(current)) continue;
            // An async lambda's body is its state machine's MoveNext, which the lambda itself never calls.
            if (current.GetCustomAttribute<StateMachineAttribute>() is { StateMachineType: { } machine }
                && machine.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic) is { } moveNext)
                pending.Push(moveNext);
            if (IlScanner.Tokens(current) is not var (fields, methods)) return null;
            Type[]? typeArguments = current.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
            Type[]? methodArguments = current.IsGenericMethod ? current.GetGenericArguments() : null;
            try
            {
                foreach (int token in fields)
                {
                    FieldInfo field = current.Module.ResolveField(token, typeArguments, methodArguments)!;
                    used.Add((field.Module, field.MetadataToken));
                }
                foreach (int token in methods)
                {
                    MethodBase? called = current.Module.ResolveMethod(token, typeArguments, methodArguments);
                    if (called is not null && IsGenerated(called)) pending.Push(called);
                }
            }
            catch (ArgumentException)
            {
                return null;
            }
        }
        return used;
    }

    /// <summary>Lambdas and local functions: methods with generated names, or on generated types.</summary>
    private static bool IsGenerated(MethodBase method) =>
        method.Name.StartsWith('<') || method.DeclaringType is { } type && type.Name.StartsWith('<') && type.IsDefined(typeof(CompilerGeneratedAttribute), false);
}
