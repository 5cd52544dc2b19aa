using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Numerics;
using System.Reflection;

namespace Wren.Serialization.Types;

/// <summary>Which assemblies are the .NET framework, and which framework types data may name.</summary>
internal static class FrameworkTypes
{
    // Public key tokens of the assemblies Microsoft ships in the shared framework.
    private static readonly HashSet<string> FrameworkTokens =
        ["b03f5f7f11d50a3a", "7cec85d7bea7798e", "cc7b13ffcd2ddd51", "adb9793829ddae60", "31bf3856ad364e35"];

    private static readonly ConcurrentDictionary<Assembly, bool> FrameworkAssemblies = new();

    /// <summary>The types (and generic type definitions) that data may name, by the name Wren writes for them.</summary>
    private static readonly Dictionary<string, Type> Allowed = BuildAllowList();

    public static bool IsFramework(Assembly assembly) => FrameworkAssemblies.GetOrAdd(assembly, static a =>
    {
        AssemblyName name = a.GetName();
        string simple = name.Name ?? "";
        bool frameworkName = simple is "mscorlib" or "netstandard" or "System" || simple.StartsWith("System.", StringComparison.Ordinal)
            || simple.StartsWith("Microsoft.", StringComparison.Ordinal);
        byte[]? token = name.GetPublicKeyToken();
        return frameworkName && token is { Length: > 0 } && FrameworkTokens.Contains(Convert.ToHexStringLower(token));
    });

    public static bool IsFramework(Type type) => IsFramework(type.Assembly);

    public static bool TryGetAllowed(string name, out Type type) => Allowed.TryGetValue(name, out type!);

    /// <summary>Whether data may name <paramref name="type"/> (a closed type; generic arguments are checked separately).</summary>
    public static bool IsAllowedFrameworkType(Type type)
    {
        if (type.IsArray) return true;
        if (type.IsEnum) return IsFramework(type);
        Type key = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        return key.FullName is { } name && Allowed.TryGetValue(name, out Type? allowed) && allowed == key;
    }

    private static Dictionary<string, Type> BuildAllowList()
    {
        Type[] types =
        [
            typeof(object), typeof(bool), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint),
            typeof(long), typeof(ulong), typeof(nint), typeof(nuint), typeof(float), typeof(double), typeof(Half), typeof(decimal),
            typeof(char), typeof(string), typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan), typeof(DateOnly),
            typeof(TimeOnly), typeof(Guid), typeof(Uri), typeof(Version), typeof(Int128), typeof(UInt128), typeof(BigInteger),
            typeof(Complex), typeof(Vector2), typeof(Vector3), typeof(Vector4), typeof(Quaternion), typeof(Matrix3x2),
            typeof(Matrix4x4), typeof(Plane), typeof(Type),
            typeof(Nullable<>), typeof(List<>), typeof(Dictionary<,>), typeof(HashSet<>), typeof(SortedSet<>),
            typeof(SortedDictionary<,>), typeof(SortedList<,>), typeof(LinkedList<>), typeof(Queue<>), typeof(Stack<>),
            typeof(KeyValuePair<,>), typeof(System.Collections.Concurrent.ConcurrentDictionary<,>),
            typeof(ConcurrentQueue<>), typeof(ConcurrentStack<>), typeof(ConcurrentBag<>), typeof(ReadOnlyCollection<>),
            typeof(ReadOnlyDictionary<,>), typeof(Collection<>), typeof(ObservableCollection<>), typeof(ImmutableArray<>),
            typeof(ImmutableList<>), typeof(ImmutableHashSet<>), typeof(ImmutableDictionary<,>), typeof(ImmutableSortedSet<>),
            typeof(ImmutableSortedDictionary<,>), typeof(ImmutableQueue<>), typeof(ImmutableStack<>), typeof(ArraySegment<>),
            typeof(Memory<>), typeof(ReadOnlyMemory<>),
            typeof(Tuple<>), typeof(Tuple<,>), typeof(Tuple<,,>), typeof(Tuple<,,,>), typeof(Tuple<,,,,>), typeof(Tuple<,,,,,>),
            typeof(Tuple<,,,,,,>), typeof(Tuple<,,,,,,,>),
            typeof(ValueTuple<>), typeof(ValueTuple<,>), typeof(ValueTuple<,,>), typeof(ValueTuple<,,,>), typeof(ValueTuple<,,,,>),
            typeof(ValueTuple<,,,,,>), typeof(ValueTuple<,,,,,,>), typeof(ValueTuple<,,,,,,,>),
            // Delegate types: only read when WrenSerializerOptions.Delegates is on.
            typeof(Func<>), typeof(Func<,>), typeof(Func<,,>), typeof(Func<,,,>), typeof(Func<,,,,>), typeof(Func<,,,,,>),
            typeof(Action), typeof(Action<>), typeof(Action<,>), typeof(Action<,,>), typeof(Action<,,,>), typeof(Action<,,,,>),
            typeof(Predicate<>), typeof(Comparison<>), typeof(Converter<,>),
            // Types that appear in a function's signature; values of them are refused by their formatters.
            typeof(IEnumerable<>), typeof(ICollection<>), typeof(IList<>), typeof(IReadOnlyCollection<>), typeof(IReadOnlyList<>),
            typeof(ISet<>), typeof(IReadOnlySet<>), typeof(IDictionary<,>), typeof(IReadOnlyDictionary<,>),
            typeof(Task<>), typeof(ValueTask<>),
        ];
        return types.ToDictionary(t => t.FullName!, t => t);
    }
}
