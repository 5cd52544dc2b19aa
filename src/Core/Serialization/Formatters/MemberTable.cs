using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Wren.Serialization.MessagePack;

namespace Wren.Serialization.Formatters;

/// <summary>
/// The members of a class or struct as Wren writes them: every instance field, public or not, in declaration order,
/// base class first; an auto-property's backing field under the property's name. Fields marked [NonSerialized] are
/// left out. Generated code reads the keys from here and calls back for key matching and error paths.
/// </summary>
internal sealed class MemberTable
{
    private readonly byte[][] _names;

    public MemberTable(Type type, IReadOnlyList<FieldInfo> fields, bool positional)
    {
        Type = type;
        Fields = fields;
        Positional = positional;
        Names = NamesOf(fields);
        _names = [.. Names.Select(Encoding.UTF8.GetBytes)];
        Keys = [.. Names.Select(EncodeKey)];
        PaddedKeys = [.. Keys.Select(Pad)];
    }

    public Type Type { get; }

    public IReadOnlyList<FieldInfo> Fields { get; }

    public bool Positional { get; }

    public string[] Names { get; }

    /// <summary>Each name as an encoded MessagePack string, ready to copy.</summary>
    public byte[][] Keys { get; }

    /// <summary>Each of <see cref="Keys"/> followed by zeros up to a multiple of 16 bytes, to copy as whole vectors (<see cref="MessagePackEncoder.Padded"/>).</summary>
    public byte[][] PaddedKeys { get; }

    public static List<FieldInfo> FieldsOf(Type type)
    {
        var chain = new Stack<Type>();
        for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType) chain.Push(t);
        var fields = new List<FieldInfo>();
        foreach (Type t in chain)
        {
            fields.AddRange(t.GetFields(BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .Where(f => !f.IsDefined(typeof(NonSerializedAttribute), inherit: false))
                .OrderBy(f => f.MetadataToken));
        }
        return fields;
    }

    private static string[] NamesOf(IReadOnlyList<FieldInfo> fields)
    {
        string[] names = [.. fields.Select(f => PropertyName(f.Name))];
        for (int i = 0; i < names.Length; i++)
        {
            // A base class's private field may share a name with a derived class's: qualify the base one.
            if (Array.IndexOf(names, names[i], i + 1) > 0) names[i] = $"{fields[i].DeclaringType!.Name}.{names[i]}";
        }
        return names;
    }

    private static string PropertyName(string fieldName) =>
        fieldName.StartsWith('<') && fieldName.EndsWith(">k__BackingField", StringComparison.Ordinal) ? fieldName[1..fieldName.IndexOf('>')] : fieldName;

    private static byte[] EncodeKey(string name)
    {
        var writer = new MessagePackWriter();
        writer.WriteString(name);
        return writer.ToArray();
    }

    private static byte[] Pad(byte[] key)
    {
        var padded = new byte[(key.Length + 15) / 16 * 16];
        key.CopyTo(padded, 0);
        return padded;
    }

    /// <summary>Reads a map key and returns the index of its member, or -1 for a key this type does not have.</summary>
    public int Match(ref MessagePackReader reader, int ordinal)
    {
        // Data Wren wrote has the keys in member order, encoded as Wren encodes them: compare the bytes whole.
        if ((uint)ordinal < (uint)Keys.Length && reader.TryReadRaw(Keys[ordinal])) return ordinal;
        ReadOnlySpan<byte> key = reader.ReadStringBytes();
        for (int i = 0; i < _names.Length; i++)
            if (key.SequenceEqual(_names[i])) return i;
        return -1;
    }

    public object CreateInstance() => RuntimeHelpers.GetUninitializedObject(Type);

    public void CheckCount(int count, int position)
    {
        if (count != Names.Length)
            throw new WrenSerializationException($"the {TypesName} at byte {position} has {count} elements; it needs {Names.Length}");
    }

    private string TypesName => Types.TypeSupport.Name(Type);

    /// <summary>Adds the member's name to the path of a failure; generated code calls this from an exception filter.</summary>
    public bool AddMemberPath(Exception exception, int member) => member >= 0 && ErrorPath.Member(exception, Names[member]);
}
