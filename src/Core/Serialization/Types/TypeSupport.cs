using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Wren.Serialization.Types;

/// <summary>Says why a type cannot travel to another process, in words a user can act on; null when it can.</summary>
internal static class TypeSupport
{
    public static string? WhyUnsupported(Type type)
    {
        if (type.IsPointer || type.IsFunctionPointer || type.IsUnmanagedFunctionPointer)
            return $"{Name(type)} is a pointer, an address in this process's memory; copy the data it points to into an array instead";
        if (type.IsByRef || type.IsByRefLike)
            return $"{Name(type)} is a ref struct (such as Span<T>), which only lives on this thread's stack; copy it into an array";
        if (type.IsGenericTypeDefinition || type.ContainsGenericParameters)
            return $"{Name(type)} is an open generic type";
        if (Is(type, typeof(Stream)) || Is(type, typeof(TextReader)) || Is(type, typeof(TextWriter)))
            return $"{Name(type)} is a stream, a handle to data that stays on this machine; read it into a byte[] or string first, or pass the file's S3 key and open it inside the function";
        if (Is(type, typeof(Task)) || type == typeof(ValueTask) || type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>))
            return $"{Name(type)} is a task, work in progress in this process; await it and capture its result instead";
        if (Is(type, typeof(Thread)) || Is(type, typeof(SafeHandle)) || Is(type, typeof(WaitHandle)) || Is(type, typeof(CancellationTokenSource))
            || type == typeof(CancellationToken) || Is(type, typeof(Timer)) || Is(type, typeof(SemaphoreSlim)) || Is(type, typeof(Lock))
            || Is(type, typeof(ReaderWriterLockSlim)) || Is(type, typeof(ManualResetEventSlim)) || Is(type, typeof(Barrier)) || Is(type, typeof(CountdownEvent)))
            return $"{Name(type)} is a thread, handle or synchronization object of this process and cannot move to another; create it inside the function";
        if (Is(type, typeof(MemberInfo)) && !Is(type, typeof(Type)) || Is(type, typeof(Assembly)) || Is(type, typeof(Module)) || Is(type, typeof(AssemblyLoadContext)) || Is(type, typeof(ParameterInfo)))
            return $"{Name(type)} is a reflection object of this process; capture the name you need instead";
        if (HasBaseNamed(type, "System.Net.Http.HttpMessageInvoker", "System.Net.Sockets.Socket", "System.Data.IDbConnection", "System.Data.Common.DbConnection", "System.Data.Common.DbCommand", "System.Diagnostics.Process"))
            return $"{Name(type)} holds a connection or process of this machine; create it inside the function (from a connection string or URL you capture) instead";
        if (FrameworkTypes.IsFramework(type) && (Is(type, typeof(IDisposable)) || Is(type, typeof(IAsyncDisposable))) && !Is(type, typeof(System.Collections.IEnumerable)))
            return $"{Name(type)} holds a resource of this process (it is IDisposable) and cannot move to another; create it inside the function instead";
        return null;
    }

    private static bool Is(Type type, Type baseType) => baseType.IsAssignableFrom(type);

    private static bool HasBaseNamed(Type type, params string[] names)
    {
        for (Type? t = type; t is not null; t = t.BaseType)
            if (t.FullName is { } name && names.Contains(name)) return true;
        return type.GetInterfaces().Any(i => i.FullName is { } name && names.Contains(name));
    }

    public static string Name(Type type) => type.IsGenericType || type.IsArray ? TypeNames.FormatForPeople(type) : type.FullName ?? type.Name;
}
