using System.Collections.Concurrent;
using System.Text;

namespace Wren.Serialization.Types;

/// <summary>
/// The names Wren writes for types: <c>Namespace.Outer+Inner</c>, generic arguments as <c>`1[[Arg]]</c>, then
/// <c>@Assembly</c> for types outside the framework, then array ranks (<c>[]</c>, <c>[,]</c>). For example
/// <c>System.Collections.Generic.List`1[[MyApp.Circle@MyApp]]</c>.
/// </summary>
internal static class TypeNames
{
    private static readonly ConcurrentDictionary<Type, byte[]> Utf8Names = new();

    public static byte[] Utf8Name(Type type) => Utf8Names.GetOrAdd(type, static t => Encoding.UTF8.GetBytes(Format(t)));

    public static string Format(Type type)
    {
        var name = new StringBuilder();
        Append(name, type);
        return name.ToString();
    }

    private static void Append(StringBuilder name, Type type)
    {
        if (type.IsArray)
        {
            Type element = type.GetElementType()!;
            Append(name, element);
            name.Append('[').Append(',', type.GetArrayRank() - 1).Append(']');
            return;
        }
        if (typeof(Type).IsAssignableFrom(type)) type = typeof(Type);
        Type definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        name.Append(definition.FullName ?? throw new WrenSerializationException($"type {type} has no full name (an open generic parameter?) and cannot be named in data"));
        if (type.IsGenericType)
        {
            name.Append('[');
            Type[] arguments = type.GetGenericArguments();
            for (int i = 0; i < arguments.Length; i++)
            {
                if (i > 0) name.Append(',');
                name.Append('[');
                Append(name, arguments[i]);
                name.Append(']');
            }
            name.Append(']');
        }
        if (!FrameworkTypes.IsFramework(type)) name.Append('@').Append(type.Assembly.GetName().Name);
    }

    /// <summary>A C#-like name for messages: <c>List&lt;MyApp.Circle&gt;</c>.</summary>
    public static string FormatForPeople(Type type)
    {
        if (type.IsArray) return FormatForPeople(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        if (!type.IsGenericType) return type.FullName ?? type.Name;
        string name = type.GetGenericTypeDefinition().FullName ?? type.Name;
        int tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(FormatForPeople))}>";
    }
}
