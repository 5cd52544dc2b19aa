using System.Reflection;
using System.Text;

namespace Wren.Serialization.Types;

/// <summary>
/// Turns type names found in data back into types, allowing only framework types on the allow-list, the assemblies the
/// caller permitted, and the non-framework assemblies of the type being read. Nothing else is looked up, so data cannot
/// make Wren load an assembly or instantiate a type the caller did not expect.
/// </summary>
internal sealed class TypeResolver
{
    private const int MaxNameLength = 4096;
    private const int MaxNesting = 16;

    private readonly Dictionary<string, Assembly> _assemblies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Type> _resolved = new(StringComparer.Ordinal);

    private TypeResolver(IEnumerable<Assembly> assemblies)
    {
        foreach (Assembly assembly in assemblies)
            _assemblies.TryAdd(assembly.GetName().Name!, assembly);
    }

    public static TypeResolver For(WrenSerializerOptions options, Type rootType)
    {
        var assemblies = new List<Assembly>(options.AllowedAssemblies);
        AddOwnAssemblies(rootType, assemblies);
        return new TypeResolver(assemblies);
    }

    private static void AddOwnAssemblies(Type type, List<Assembly> assemblies)
    {
        if (type.HasElementType)
        {
            AddOwnAssemblies(type.GetElementType()!, assemblies);
            return;
        }
        if (!FrameworkTypes.IsFramework(type)) assemblies.Add(type.Assembly);
        if (type.IsGenericType)
            foreach (Type argument in type.GetGenericArguments()) AddOwnAssemblies(argument, assemblies);
    }

    /// <summary>
    /// Resolves the type that declares a shipped method: like <see cref="Resolve"/>, but framework types need not be on
    /// the allow-list (a function may be a framework method such as Math.Sqrt). Used only for trusted job data.
    /// </summary>
    public Type ResolveForMethods(ReadOnlySpan<byte> utf8Name)
    {
        _frameworkMethods = true;
        try
        {
            return Resolve(utf8Name);
        }
        finally
        {
            _frameworkMethods = false;
        }
    }

    private bool _frameworkMethods;

    public Type Resolve(ReadOnlySpan<byte> utf8Name)
    {
        if (utf8Name.Length > MaxNameLength)
            throw new WrenSerializationException($"a type name of {utf8Name.Length} bytes is longer than the {MaxNameLength} allowed");
        string name = Encoding.UTF8.GetString(utf8Name);
        if (!_frameworkMethods && _resolved.TryGetValue(name, out Type? known)) return known;
        int position = 0;
        Type type = Parse(name, ref position, 0);
        if (position != name.Length) throw BadName(name, $"unexpected '{name[position]}' at {position}");
        if (!_frameworkMethods) _resolved[name] = type;
        return type;
    }

    private Type Parse(string name, ref int position, int nesting)
    {
        if (nesting > MaxNesting) throw BadName(name, "generic arguments nest too deeply");
        int start = position;
        while (position < name.Length && name[position] is not ('[' or ']' or ',' or '@')) position++;
        string typeName = name[start..position];
        if (typeName.Length == 0) throw BadName(name, $"a type name is missing at {start}");

        int arity = GenericArity(typeName);
        var arguments = new Type[arity];
        if (arity > 0)
        {
            Expect(name, ref position, '[');
            for (int i = 0; i < arity; i++)
            {
                if (i > 0) Expect(name, ref position, ',');
                Expect(name, ref position, '[');
                arguments[i] = Parse(name, ref position, nesting + 1);
                Expect(name, ref position, ']');
            }
            Expect(name, ref position, ']');
        }

        string? assemblyName = null;
        if (position < name.Length && name[position] == '@')
        {
            int assemblyStart = ++position;
            while (position < name.Length && name[position] is not ('[' or ']' or ',')) position++;
            assemblyName = name[assemblyStart..position];
        }

        Type type = Lookup(name, typeName, assemblyName);
        if (arity > 0)
        {
            if (!type.IsGenericTypeDefinition || type.GetGenericArguments().Length != arity)
                throw BadName(name, $"{typeName} does not take {arity} generic arguments");
            try
            {
                type = type.MakeGenericType(arguments);
            }
            catch (ArgumentException e)
            {
                throw new WrenSerializationException($"the type name '{name}' breaks a generic constraint: {e.Message}");
            }
        }
        else if (type.IsGenericTypeDefinition)
        {
            throw BadName(name, $"{typeName} needs generic arguments");
        }

        while (position < name.Length && name[position] == '[')
        {
            position++;
            int rank = 1;
            while (position < name.Length && name[position] == ',') { rank++; position++; }
            Expect(name, ref position, ']');
            if (rank > 32) throw BadName(name, "an array has more than 32 dimensions");
            type = rank == 1 ? type.MakeArrayType() : type.MakeArrayType(rank);
        }
        return type;
    }

    private Type Lookup(string fullName, string typeName, string? assemblyName)
    {
        if (assemblyName is null)
        {
            if (FrameworkTypes.TryGetAllowed(typeName, out Type allowed)) return allowed;
            Type? frameworkEnum = FindFrameworkEnum(typeName);
            if (frameworkEnum is not null) return frameworkEnum;
            if (_frameworkMethods && Type.GetType(typeName, throwOnError: false) is { } frameworkType && FrameworkTypes.IsFramework(frameworkType)) return frameworkType;
            throw new WrenSerializationException($"the data names framework type '{typeName}' (in '{fullName}'), which Wren does not allow in data; only its supported types may be named");
        }
        if (!_assemblies.TryGetValue(assemblyName, out Assembly? assembly))
            throw new WrenSerializationException($"the data names type '{typeName}' from assembly '{assemblyName}', which is not allowed; add the assembly to WrenSerializerOptions.AllowedAssemblies if its types are trusted");
        return assembly.GetType(typeName, throwOnError: false)
            ?? throw new WrenSerializationException($"the data names type '{typeName}', which assembly '{assemblyName}' does not contain; the writer and reader have different versions of it");
    }

    private static Type? FindFrameworkEnum(string typeName)
    {
        Type? type = typeof(object).Assembly.GetType(typeName, throwOnError: false);
        return type is { IsEnum: true, IsPublic: true } ? type : null;
    }

    private static int GenericArity(string typeName)
    {
        int arity = 0;
        foreach (string part in typeName.Split('+'))
        {
            int tick = part.LastIndexOf('`');
            if (tick < 0) continue;
            if (!int.TryParse(part.AsSpan(tick + 1), out int count) || count is < 1 or > 64)
                throw new WrenSerializationException($"the type name '{typeName}' has an invalid generic arity");
            arity += count;
        }
        return arity;
    }

    private static void Expect(string name, ref int position, char expected)
    {
        if (position >= name.Length || name[position] != expected)
            throw BadName(name, $"expected '{expected}' at {position}");
        position++;
    }

    private static WrenSerializationException BadName(string name, string problem) =>
        new($"the type name '{(name.Length > 200 ? name[..200] + "..." : name)}' is malformed: {problem}");
}
