using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Wren.Serialization.MessagePack;
using Wren.Serialization.Types;

namespace Wren.Serialization;

/// <summary>State of one serialization: objects already written, type names already defined, nesting depth.</summary>
internal sealed class WriteContext
{
    private readonly ReferenceTable _references = new();
    private readonly Dictionary<Type, int> _typeNames = [];
    private int _depth;

    public WrenSerializerOptions Options { get; private set; } = WrenSerializerOptions.Default;

    public void Reset(WrenSerializerOptions options)
    {
        Options = options;
        _references.Clear();
        _typeNames.Clear();
        _depth = 0;
    }

    /// <summary>Writes a back-reference if <paramref name="value"/> was written before; otherwise remembers it and returns false.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryWriteBackReference(MessagePackWriter writer, object value)
    {
        if (_references.TryAdd(value, out int index)) return false;
        WriteIndexExtension(writer, WrenExtension.BackReference, 0, index, withMarker: false);
        return true;
    }

    /// <summary>Writes the Wren type-name extension for <paramref name="type"/>, by table index if it was named before.</summary>
    public void WriteTypeName(MessagePackWriter writer, Type type)
    {
        if (_typeNames.TryGetValue(type, out int index))
        {
            WriteIndexExtension(writer, WrenExtension.TypeName, 1, index, withMarker: true);
            return;
        }
        _typeNames.Add(type, _typeNames.Count);
        Options.NamedTypeObserver?.Invoke(type);
        byte[] name = TypeNames.Utf8Name(type);
        writer.WriteExtensionHeader(WrenExtension.TypeName, 1 + name.Length);
        writer.WriteRaw([0]);
        writer.WriteRaw(name);
    }

    private static void WriteIndexExtension(MessagePackWriter writer, sbyte type, byte marker, int index, bool withMarker)
    {
        int extra = withMarker ? 1 : 0;
        Span<byte> payload = stackalloc byte[5];
        if (withMarker) payload[0] = marker;
        int size;
        if (index <= byte.MaxValue) { payload[extra] = (byte)index; size = 1; }
        else if (index <= ushort.MaxValue) { BinaryPrimitives.WriteUInt16BigEndian(payload[extra..], (ushort)index); size = 2; }
        else { BinaryPrimitives.WriteInt32BigEndian(payload[extra..], index); size = 4; }
        writer.WriteExtensionHeader(type, size + extra);
        writer.WriteRaw(payload[..(size + extra)]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter()
    {
        if (++_depth > Options.MaxDepth) ThrowTooDeep();
        // A thread with a small stack can run out before MaxDepth: fail cleanly rather than crash the process.
        if ((_depth & 7) == 0) RuntimeHelpers.EnsureSufficientExecutionStack();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit() => _depth--;

    private void ThrowTooDeep()
    {
        _depth--;
        throw new WrenSerializationException($"the value nests deeper than WrenSerializerOptions.MaxDepth ({Options.MaxDepth}); flatten it (a linked chain into a list, for example) or raise MaxDepth");
    }
}
