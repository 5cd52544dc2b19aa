using System.Runtime.CompilerServices;

namespace Wren.Serialization.Formatters;

/// <summary>Finds the collection interfaces a type implements and the plain collections that stand in for it.</summary>
internal static class CollectionTypes
{
    /// <summary>The element type of <c>IEnumerable&lt;T&gt;</c> if <paramref name="type"/> implements it.</summary>
    public static Type? ElementType(Type type) => GenericArguments(type, typeof(IEnumerable<>))?[0];

    /// <summary>The key and value types if <paramref name="type"/> is a dictionary (read-only or not).</summary>
    public static (Type Key, Type Value)? DictionaryTypes(Type type)
    {
        Type[]? arguments = GenericArguments(type, typeof(IDictionary<,>)) ?? GenericArguments(type, typeof(IReadOnlyDictionary<,>));
        return arguments is null ? null : (arguments[0], arguments[1]);
    }

    public static Type? SetElementType(Type type) =>
        (GenericArguments(type, typeof(ISet<>)) ?? GenericArguments(type, typeof(IReadOnlySet<>)))?[0];

    public static Type[]? GenericArguments(Type type, Type genericInterface)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == genericInterface) return type.GetGenericArguments();
        foreach (Type candidate in type.GetInterfaces())
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == genericInterface) return candidate.GetGenericArguments();
        return null;
    }

    /// <summary>An iterator method's state machine: a sequence to enumerate, not an object to copy.</summary>
    public static bool IsCompilerGeneratedSequence(Type type) =>
        type.IsDefined(typeof(CompilerGeneratedAttribute), false) && ElementType(type) is not null && type.Name.StartsWith('<');

    /// <summary>For a sequence type data may not name: the collection that carries its contents, and a formatter that writes it so.</summary>
    public static (Type Type, Formatter Writer)? StandIn(Type type)
    {
        if (DictionaryTypes(type) is var (key, value))
        {
            Type pairs = typeof(IEnumerable<>).MakeGenericType(typeof(KeyValuePair<,>).MakeGenericType(key, value));
            Type dictionary = typeof(Dictionary<,>).MakeGenericType(key, value);
            return (dictionary, Create(typeof(MapFormatter<,,,>), pairs, key, value, dictionary));
        }
        if (SetElementType(type) is { } setElement)
        {
            Type set = typeof(HashSet<>).MakeGenericType(setElement);
            return (set, Create(typeof(SequenceFormatter<,,>), typeof(IEnumerable<>).MakeGenericType(setElement), setElement, set));
        }
        if (ElementType(type) is { } element)
        {
            Type list = typeof(List<>).MakeGenericType(element);
            return (list, Create(typeof(SequenceFormatter<,,>), typeof(IEnumerable<>).MakeGenericType(element), element, list));
        }
        return null;
    }

    public static Formatter Create(Type formatterDefinition, params Type[] arguments) =>
        (Formatter)Activator.CreateInstance(formatterDefinition.MakeGenericType(arguments))!;
}
