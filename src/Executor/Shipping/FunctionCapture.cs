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
