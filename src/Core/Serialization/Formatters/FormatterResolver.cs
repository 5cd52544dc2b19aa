using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Numerics;
using System.Reflection;
using Wren.Serialization.Types;

namespace Wren.Serialization.Formatters;

/// <summary>Chooses the formatter for a type. It never throws: a type that cannot travel gets a formatter that says why.</summary>
internal static class FormatterResolver
{
    private static readonly Dictionary<Type, Func<Formatter>> Simple = new()
    {
        [typeof(bool)] = () => new BooleanFormatter(),
        [typeof(byte)] = () => new ByteFormatter(),
        [typeof(sbyte)] = () => new SByteFormatter(),
        [typeof(short)] = () => new Int16Formatter(),
        [typeof(ushort)] = () => new UInt16Formatter(),
        [typeof(int)] = () => new Int32Formatter(),
        [typeof(uint)] = () => new UInt32Formatter(),
        [typeof(long)] = () => new Int64Formatter(),
        [typeof(ulong)] = () => new UInt64Formatter(),
        [typeof(nint)] = () => new NIntFormatter(),
        [typeof(nuint)] = () => new NUIntFormatter(),
        [typeof(float)] = () => new SingleFormatter(),
        [typeof(double)] = () => new DoubleFormatter(),
        [typeof(Half)] = () => new HalfFormatter(),
        [typeof(char)] = () => new CharFormatter(),
        [typeof(decimal)] = () => new DecimalFormatter(),
        [typeof(string)] = () => new StringFormatter(),
        [typeof(BigInteger)] = () => new BigIntegerFormatter(),
        [typeof(Int128)] = () => new Int128Formatter(),
        [typeof(UInt128)] = () => new UInt128Formatter(),
        [typeof(Complex)] = () => new ComplexFormatter(),
        [typeof(DateTime)] = () => new DateTimeFormatter(),
        [typeof(DateTimeOffset)] = () => new DateTimeOffsetFormatter(),
        [typeof(TimeSpan)] = () => new TimeSpanFormatter(),
        [typeof(DateOnly)] = () => new DateOnlyFormatter(),
        [typeof(TimeOnly)] = () => new TimeOnlyFormatter(),
        [typeof(Guid)] = () => new GuidFormatter(),
        [typeof(Uri)] = () => new UriFormatter(),
        [typeof(Version)] = () => new VersionFormatter(),
        [typeof(byte[])] = () => new ByteArrayFormatter(),
        [typeof(Type)] = () => new TypeFormatter(),
        [typeof(MessagePackExtension)] = () => new ExtensionFormatter(),
    };

    /// <summary>Collection interfaces and the collection their data is read into.</summary>
    private static readonly Dictionary<Type, Type> DefaultImplementations = new()
    {
        [typeof(IEnumerable<>)] = typeof(List<>),
        [typeof(ICollection<>)] = typeof(List<>),
        [typeof(IList<>)] = typeof(List<>),
        [typeof(IReadOnlyCollection<>)] = typeof(List<>),
        [typeof(IReadOnlyList<>)] = typeof(List<>),
        [typeof(ISet<>)] = typeof(HashSet<>),
        [typeof(IReadOnlySet<>)] = typeof(HashSet<>),
        [typeof(IDictionary<,>)] = typeof(Dictionary<,>),
        [typeof(IReadOnlyDictionary<,>)] = typeof(Dictionary<,>),
    };

    /// <summary>The formatter for a type as declared (a field's type, a collection's element type, the root).</summary>
    public static Formatter CreateDeclared(Type type)
    {
        if (type == typeof(object)) return new UntypedFormatter();
        if (type.IsValueType || type == typeof(string) || type == typeof(Type) || type == typeof(MessagePackExtension)) return CreateCore(type);
        if (TypeSupport.WhyUnsupported(type) is { } reason) return Unsupported(type, reason);
        Type? defaultImplementation = DefaultImplementation(type);
        Formatter? core = type.IsAbstract && defaultImplementation is null ? null : CreateCore(type);
        return (Formatter)Activator.CreateInstance(typeof(ReferenceFormatter<>).MakeGenericType(type), core, defaultImplementation)!;
    }

    private static Type? DefaultImplementation(Type type) =>
        type.IsInterface && type.IsGenericType && DefaultImplementations.TryGetValue(type.GetGenericTypeDefinition(), out Type? definition)
            ? definition.MakeGenericType(type.GetGenericArguments())
            : null;

    /// <summary>The formatter for values of exactly this type: their contents only.</summary>
    public static Formatter CreateCore(Type type)
    {
        try
        {
            return CreateCoreUnchecked(type);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Unsupported(type, $"{TypeSupport.Name(type)} cannot be serialized: {e.Message}");
        }
    }

    private static Formatter CreateCoreUnchecked(Type type)
    {
        if (TypeSupport.WhyUnsupported(type) is { } reason) return Unsupported(type, reason);
        if (typeof(Delegate).IsAssignableFrom(type) && type != typeof(Delegate) && type != typeof(MulticastDelegate))
            return Create(typeof(DelegateFormatter<>), type);
        if (Simple.TryGetValue(type, out Func<Formatter>? simple)) return simple();
        if (typeof(Type).IsAssignableFrom(type)) return new TypeFormatter();
        if (type.IsEnum) return Create(typeof(EnumFormatter<,>), type, Enum.GetUnderlyingType(type));
        if (type.IsArray)
        {
            Type element = type.GetElementType()!;
            return type.IsSZArray ? Create(typeof(ArrayFormatter<>), element) : Create(typeof(MultiDimensionalArrayFormatter<,>), type, element);
        }
        if (type.IsGenericType && KnownGeneric(type) is { } known) return known;
        if (type.IsAbstract)
            return Unsupported(type, $"{TypeSupport.Name(type)} is abstract or an interface, and the data names no concrete type");

        if (CollectionTypes.GenericArguments(type, typeof(IDictionary<,>)) is { } entry && HasDefaultConstructor(type))
            return Create(typeof(AddDictionaryFormatter<,,>), type, entry[0], entry[1]);
        if (CollectionTypes.GenericArguments(type, typeof(ICollection<>)) is { } element1 && HasDefaultConstructor(type) && !type.IsValueType)
            return Create(typeof(AddCollectionFormatter<,>), type, element1[0]);

        bool framework = FrameworkTypes.IsFramework(type);
        if (framework && !(type.IsValueType && !type.IsPrimitive && type.IsPublic))
            return Unsupported(type, $"{TypeSupport.Name(type)} is a framework type Wren has no format for; convert it to a supported type (an array, List<T>, Dictionary<K,V>, a string or a record of your own) before it is captured");
        return Members(type, positional: false);
    }

    private static Formatter Members(Type type, bool positional)
    {
        List<FieldInfo> fields = MemberTable.FieldsOf(type);
        foreach (FieldInfo field in fields)
        {
            Type fieldType = field.FieldType;
            if (fieldType.IsPointer || fieldType.IsFunctionPointer || fieldType.IsUnmanagedFunctionPointer || fieldType.IsByRefLike || fieldType.IsByRef)
                return Unsupported(type, $"{TypeSupport.Name(type)} has field '{field.Name}', which {TypeSupport.WhyUnsupported(fieldType)}");
        }
        var table = new MemberTable(type, fields, positional);
        return (Formatter)Activator.CreateInstance(typeof(MemberFormatter<>).MakeGenericType(type), table)!;
    }

    private static Formatter? KnownGeneric(Type type)
    {
        Type definition = type.GetGenericTypeDefinition();
        Type[] arguments = type.GetGenericArguments();
        Type first = arguments[0];
        if (definition == typeof(Nullable<>)) return Create(typeof(NullableFormatter<>), first);
        if (definition == typeof(List<>)) return Create(typeof(ListFormatter<>), first);
        if (definition == typeof(ImmutableArray<>)) return Create(typeof(ImmutableArrayFormatter<>), first);
        if (definition == typeof(ArraySegment<>)) return Create(typeof(ArraySegmentFormatter<>), first);
        if (definition == typeof(Memory<>)) return Create(typeof(MemoryFormatter<>), first);
        if (definition == typeof(ReadOnlyMemory<>)) return Create(typeof(ReadOnlyMemoryFormatter<>), first);
        if (definition == typeof(KeyValuePair<,>) || type.FullName!.StartsWith("System.Tuple`", StringComparison.Ordinal) || type.FullName.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
            return Members(type, positional: true);
        if (DefaultImplementation(type) is { } implementation)
        {
            return arguments.Length == 1
                ? Create(typeof(SequenceFormatter<,,>), type, first, implementation)
                : Create(typeof(MapFormatter<,,,>), type, first, arguments[1], implementation);
        }
        string? builder = definition switch
        {
            _ when definition == typeof(Queue<>) => nameof(ConstructedCollections<int>.Queue),
            _ when definition == typeof(Stack<>) => nameof(ConstructedCollections<int>.Stack),
            _ when definition == typeof(ConcurrentQueue<>) => nameof(ConstructedCollections<int>.ConcurrentQueue),
            _ when definition == typeof(ConcurrentStack<>) => nameof(ConstructedCollections<int>.ConcurrentStack),
            _ when definition == typeof(ConcurrentBag<>) => nameof(ConstructedCollections<int>.ConcurrentBag),
            _ when definition == typeof(ReadOnlyCollection<>) => nameof(ConstructedCollections<int>.ReadOnlyCollection),
            _ when definition == typeof(ImmutableList<>) => nameof(ConstructedCollections<int>.ImmutableList),
            _ when definition == typeof(ImmutableHashSet<>) => nameof(ConstructedCollections<int>.ImmutableHashSet),
            _ when definition == typeof(ImmutableSortedSet<>) => nameof(ConstructedCollections<int>.ImmutableSortedSet),
            _ when definition == typeof(ImmutableQueue<>) => nameof(ConstructedCollections<int>.ImmutableQueue),
            _ when definition == typeof(ImmutableStack<>) => nameof(ConstructedCollections<int>.ImmutableStack),
            _ => null,
        };
        if (builder is not null)
            return (Formatter)typeof(ConstructedCollections<>).MakeGenericType(first).GetMethod(builder)!.Invoke(null, null)!;
        builder = definition switch
        {
            _ when definition == typeof(ReadOnlyDictionary<,>) => nameof(ConstructedDictionaries<int, int>.ReadOnlyDictionary),
            _ when definition == typeof(ImmutableDictionary<,>) => nameof(ConstructedDictionaries<int, int>.ImmutableDictionary),
            _ when definition == typeof(ImmutableSortedDictionary<,>) => nameof(ConstructedDictionaries<int, int>.ImmutableSortedDictionary),
            _ => null,
        };
        if (builder is not null)
            return (Formatter)typeof(ConstructedDictionaries<,>).MakeGenericType(arguments).GetMethod(builder)!.Invoke(null, null)!;
        return null;
    }

    private static bool HasDefaultConstructor(Type type) =>
        type.IsValueType || type.GetConstructor(BindingFlags.Instance | BindingFlags.Public, Type.EmptyTypes) is not null;

    private static Formatter Create(Type definition, params Type[] arguments) =>
        (Formatter)Activator.CreateInstance(definition.MakeGenericType(arguments))!;

    private static Formatter Unsupported(Type type, string reason) =>
        type.IsPointer || type.IsByRef || type.IsByRefLike
            ? new UnsupportedFormatter(reason)
            : (Formatter)Activator.CreateInstance(typeof(UnsupportedFormatter<>).MakeGenericType(type), reason)!;
}

/// <summary>Formatters for collections built from an array of their elements.</summary>
internal static class ConstructedCollections<T>
{
    public static Formatter Queue() => new ConstructedCollectionFormatter<Queue<T>, T>(items => new Queue<T>(items));
    public static Formatter Stack() => new ConstructedCollectionFormatter<Stack<T>, T>(items => new Stack<T>(items), reversed: true);
    public static Formatter ConcurrentQueue() => new ConstructedCollectionFormatter<ConcurrentQueue<T>, T>(items => new ConcurrentQueue<T>(items));
    public static Formatter ConcurrentStack() => new ConstructedCollectionFormatter<ConcurrentStack<T>, T>(items => new ConcurrentStack<T>(items), reversed: true);
    public static Formatter ConcurrentBag() => new ConstructedCollectionFormatter<ConcurrentBag<T>, T>(items => new ConcurrentBag<T>(items));
    public static Formatter ReadOnlyCollection() => new ConstructedCollectionFormatter<ReadOnlyCollection<T>, T>(items => new ReadOnlyCollection<T>(items));
    public static Formatter ImmutableList() => new ConstructedCollectionFormatter<ImmutableList<T>, T>(System.Collections.Immutable.ImmutableList.CreateRange);
    public static Formatter ImmutableHashSet() => new ConstructedCollectionFormatter<ImmutableHashSet<T>, T>(System.Collections.Immutable.ImmutableHashSet.CreateRange);
    public static Formatter ImmutableSortedSet() => new ConstructedCollectionFormatter<ImmutableSortedSet<T>, T>(System.Collections.Immutable.ImmutableSortedSet.CreateRange);
    public static Formatter ImmutableQueue() => new ConstructedCollectionFormatter<ImmutableQueue<T>, T>(System.Collections.Immutable.ImmutableQueue.CreateRange);
    public static Formatter ImmutableStack() => new ConstructedCollectionFormatter<ImmutableStack<T>, T>(System.Collections.Immutable.ImmutableStack.CreateRange, reversed: true);
}

/// <summary>Formatters for dictionaries built from all their entries.</summary>
internal static class ConstructedDictionaries<TKey, TValue> where TKey : notnull
{
    public static Formatter ReadOnlyDictionary() => new ConstructedDictionaryFormatter<ReadOnlyDictionary<TKey, TValue>, TKey, TValue>(entries => new ReadOnlyDictionary<TKey, TValue>(entries));
    public static Formatter ImmutableDictionary() => new ConstructedDictionaryFormatter<ImmutableDictionary<TKey, TValue>, TKey, TValue>(entries => entries.ToImmutableDictionary());
    public static Formatter ImmutableSortedDictionary() => new ConstructedDictionaryFormatter<ImmutableSortedDictionary<TKey, TValue>, TKey, TValue>(entries => entries.ToImmutableSortedDictionary());
}
