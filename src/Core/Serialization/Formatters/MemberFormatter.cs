using Wren.Serialization.MessagePack;

namespace Wren.Serialization.Formatters;

/// <summary>
/// Classes and structs written member by member: a map from member name to value (or, for tuples, an array of values).
/// The code that reads and writes the fields is generated once per type, so private and read-only fields cost what
/// public ones do, and no constructor has to match.
/// </summary>
internal sealed class MemberFormatter<T> : Formatter<T>
{
    private delegate void WriteMembers(MessagePackWriter writer, T value, WriteContext context);

    private delegate T ReadMembers(ref MessagePackReader reader, ReadContext context);

    private readonly WriteMembers _write;
    private readonly ReadMembers _read;

    public MemberFormatter(MemberTable table)
    {
        _write = (WriteMembers)MemberWriteCode.Emit(table, typeof(T)).CreateDelegate(typeof(WriteMembers), table);
        _read = (ReadMembers)MemberReadCode.Emit(table, typeof(T)).CreateDelegate(typeof(ReadMembers), table);
    }

    public override void Write(MessagePackWriter writer, T value, WriteContext context) => _write(writer, value, context);

    public override T Read(ref MessagePackReader reader, ReadContext context) => _read(ref reader, context);
}
