using System.Reflection;
using Wren.Serialization;

namespace Wren.Shipping;

/// <summary>
/// Turns a delegate into what a worker needs: its bytes (the exact method and the closure object graph, with every
/// delegate the closure holds) and the user's assemblies. Synchronous and without I/O, so a closure that cannot travel
/// fails in Map itself, naming the member (<c>closure.&lt;&gt;4__this.db</c>), before anything is uploaded.
/// </summary>
internal static class FunctionCapture
{
    public static CapturedFunction Capture(Delegate function, params Type[] dataTypes)
    {
        ArgumentNullException.ThrowIfNull(function);
        // A delegate without state (a static method, or a lambda whose closure has no fields) always captures the same
        // way: it is captured once. Every CallAsync captures its function, which took about 0.1 ms. The key is types
        // and the method, compared by reference: looking it up costs no reflection and no names.
        if (!function.HasSingleTarget || dataTypes.Length > 2) return CaptureNow(function, dataTypes);
        var key = (function.GetType(), function.Method, function.Target?.GetType(), dataTypes.Length > 0 ? dataTypes[0] : null, dataTypes.Length > 1 ? dataTypes[1] : null);
        if (Stateless.TryGetValue(key, out CapturedFunction? captured)) return captured;
        captured = CaptureNow(function, dataTypes);
        // Only a delegate without state may be kept: a closure with fields captures its values anew each time.
        if (IsStateless(function) && Stateless.Count < MaxStateless) Stateless[key] = captured;
        return captured;
    }

    private const int MaxStateless = 1024;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(Type, MethodInfo, Type?, Type?, Type?), CapturedFunction> Stateless = new();

    private static bool IsStateless(Delegate function)
    {
        if (function.Target is null) return true;
        for (Type? type = function.Target.GetType(); type is not null && type != typeof(object); type = type.BaseType)
            if (type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly).Length > 0) return false;
        return true;
    }

    private static CapturedFunction CaptureNow(Delegate function, Type[] dataTypes)
    {
        var namedTypes = new HashSet<Type>();
        var options = new WrenSerializerOptions { Delegates = true, NamedTypeObserver = type => namedTypes.Add(type) };
        byte[] bytes;
        try
        {
            bytes = WrenSerializer.Serialize<Delegate>(ClosurePruner.Prune(function), options);
        }
        catch (WrenSerializationException e)
        {
            throw e.WithRoot("closure");
        }
        var roots = new List<Assembly> { function.Method.Module.Assembly };
        if (function.Target is { } target) roots.Add(target.GetType().Assembly);
        // A function that takes a CallContext ships inside a Wren.Core adapter: the user's code is the wrapped one.
        if (function.Target is Data.IContextFunction { Inner: var inner })
        {
            roots.Add(inner.Method.Module.Assembly);
            if (inner.Target is { } innerTarget) roots.Add(innerTarget.GetType().Assembly);
        }
        foreach (Type type in namedTypes.Concat(dataTypes)) AddAssemblies(type, roots);
        return new CapturedFunction(bytes, CodeCollector.Collect(roots));
    }

    private static void AddAssemblies(Type type, List<Assembly> roots)
    {
        if (type.HasElementType)
        {
            AddAssemblies(type.GetElementType()!, roots);
            return;
        }
        roots.Add(type.Assembly);
        if (type.IsGenericType)
            foreach (Type argument in type.GetGenericArguments()) AddAssemblies(argument, roots);
    }
}

/// <summary>A function ready to ship.</summary>
internal sealed record CapturedFunction(byte[] Bytes, IReadOnlyList<CodeAssembly> Code);
