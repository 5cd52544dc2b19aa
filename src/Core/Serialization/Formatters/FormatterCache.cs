using System.Collections.Concurrent;
using System.Reflection;

namespace Wren.Serialization.Formatters;

/// <summary>The formatter for a declared type: handles null, shared references and derived types for classes.</summary>
internal static class FormatterCache<T>
{
    public static readonly Formatter<T> Instance = (Formatter<T>)FormatterResolver.CreateDeclared(typeof(T));
}

/// <summary>The formatter for the exact type <typeparamref name="T"/>: just its contents, no null or reference handling.</summary>
internal static class CoreFormatterCache<T>
{
    public static readonly Formatter<T> Instance = (Formatter<T>)FormatterResolver.CreateCore(typeof(T));
}

/// <summary>Looks formatters up by a <see cref="Type"/> known only at run time.</summary>
internal static class Formatters
{
    private static readonly ConcurrentDictionary<Type, Formatter> Declared = new();
    private static readonly ConcurrentDictionary<Type, Formatter> Core = new();

    public static Formatter ForDeclared(Type type) => Declared.GetOrAdd(type, static t => Lookup(typeof(FormatterCache<>), t));

    public static Formatter ForCore(Type type) => Core.GetOrAdd(type, static t => Lookup(typeof(CoreFormatterCache<>), t));

    private static Formatter Lookup(Type cache, Type type)
    {
        try
        {
            return (Formatter)cache.MakeGenericType(type).GetField("Instance")!.GetValue(null)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw WrenSerializationException.From(e.InnerException);
        }
    }
}
