using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Wren.Serialization.MessagePack;
using Wren.Serialization.Types;

namespace Wren.Serialization;

/// <summary>State of one deserialization: objects read so far (for back-references), type names defined, nesting depth.</summary>
internal sealed class ReadContext
{
    private static readonly object Pending = new();

    private readonly List<object?> _references = [];
    private readonly Stack<int> _pending = new();
    private readonly List<Type> _typeNames = [];
    private int _depth;

    public WrenSerializerOptions Options { get; private set; } = WrenSerializerOptions.Default;

    private TypeResolver? _types;
    private Type _rootType = typeof(object);

    /// <summary>Resolves type names; built on first use, since most data names no types.</summary>
    public TypeResolver Types => _types ??= TypeResolver.For(Options, _rootType);

    public void Reset(WrenSerializerOptions options, Type rootType)
    {
        Options = options;
        _rootType = rootType;
        _types = null;
        _references.Clear();
        _pending.Clear();
        _typeNames.Clear();
        _depth = 0;
    }

    /// <summary>Reserves the index of the object about to be read; it is filled by <see cref="OnCreated"/> or <see cref="Complete"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Reserve()
    {
        int index = _references.Count;
        _references.Add(Pending);
        _pending.Push(index);
        return index;
    }

    /// <summary>Records a new object before its contents are read, so that cycles back to it resolve.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OnCreated(object value)
    {
        if (_pending.TryPop(out int index)) _references[index] = value;
    }

    /// <summary>Records an object whose formatter could create it only after reading its contents.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Complete(int index, object? value)
    {
        if (_pending.TryPeek(out int top) && top == index)
        {
            _pending.Pop();
            _references[index] = value;
        }
    }

    public object? ReadBackReference(ref MessagePackReader reader, Type declared)
    {
        int start = reader.Position;
        reader.ReadExtension(out ReadOnlySpan<byte> payload);
        int index = ReadIndex(payload, start);
        if (index >= _references.Count)
            throw new WrenSerializationException($"the back-reference at byte {start} points to object {index}, but only {_references.Count} objects came before it");
        object? value = _references[index];
        if (ReferenceEquals(value, Pending))
            throw new WrenSerializationException($"the back-reference at byte {start} closes a cycle through an object that can only be created after its contents (an immutable collection, a tuple or a delegate, such as a lambda that calls itself); cycles must pass through a mutable class");
        if (value is not null && !declared.IsInstanceOfType(value))
            throw new WrenSerializationException($"the back-reference at byte {start} points to a {value.GetType()}, which is not a {declared}");
        return value;
    }

    /// <summary>Reads a Wren type-name extension and checks the type against the allow-list and the declared type.</summary>
    public Type ReadTypeName(ref MessagePackReader reader, Type declared)
    {
        int start = reader.Position;
        sbyte extension = reader.ReadExtension(out ReadOnlySpan<byte> payload);
        if (extension != WrenExtension.TypeName || payload.Length < 2)
            throw new WrenSerializationException($"expected a Wren type name at byte {start}");
        Type type;
        if (payload[0] == 0)
        {
            type = Types.Resolve(payload[1..]);
            _typeNames.Add(type);
        }
        else if (payload[0] == 1)
        {
            int index = ReadIndex(payload[1..], start);
            if (index >= _typeNames.Count)
                throw new WrenSerializationException($"the type name at byte {start} refers to name {index}, but only {_typeNames.Count} were defined before it");
            type = _typeNames[index];
        }
        else
        {
            throw new WrenSerializationException($"the type name at byte {start} starts with {payload[0]}; expected 0 (a name) or 1 (an index)");
        }
        if (!declared.IsAssignableFrom(type))
            throw new WrenSerializationException($"the data names type {type}, which is not a {declared}");
        return type;
    }

    private static int ReadIndex(ReadOnlySpan<byte> payload, int start) => payload.Length switch
    {
        1 => payload[0],
        2 => BinaryPrimitives.ReadUInt16BigEndian(payload),
        4 when BinaryPrimitives.ReadInt32BigEndian(payload) >= 0 => BinaryPrimitives.ReadInt32BigEndian(payload),
        _ => throw new WrenSerializationException($"the index at byte {start} has {payload.Length} bytes; expected 1, 2 or 4"),
    };

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
        throw new WrenSerializationException($"the data nests deeper than WrenSerializerOptions.MaxDepth ({Options.MaxDepth}); if it is trusted, raise MaxDepth");
    }
}
