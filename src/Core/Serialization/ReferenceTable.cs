using System.Runtime.CompilerServices;

namespace Wren.Serialization;

/// <summary>Maps objects, by identity, to the index they were first written under; open addressing, reused across calls.</summary>
internal sealed class ReferenceTable
{
    // Few values hold more than a handful of objects: the slots they took are remembered, so that clearing the table
    // touches those alone.
    private const int TrackedSlots = 8;

    private object?[] _keys = new object?[16];
    private int[] _values = new int[16];
    private readonly int[] _usedSlots = new int[TrackedSlots];
    private int _count;

    public int Count => _count;

    /// <summary>Returns the index of <paramref name="value"/> if it was added before; otherwise adds it under the next index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAdd(object value, out int existing)
    {
        int mask = _keys.Length - 1;
        int slot = RuntimeHelpers.GetHashCode(value) & mask;
        while (true)
        {
            object? key = _keys[slot];
            if (key is null) break;
            if (ReferenceEquals(key, value))
            {
                existing = _values[slot];
                return false;
            }
            slot = (slot + 1) & mask;
        }
        _keys[slot] = value;
        if (_count < TrackedSlots) _usedSlots[_count] = slot;
        _values[slot] = _count++;
        if (_count * 2 > _keys.Length) Resize();
        existing = -1;
        return true;
    }

    private void Resize()
    {
        object?[] oldKeys = _keys;
        int[] oldValues = _values;
        _keys = new object?[oldKeys.Length * 2];
        _values = new int[oldKeys.Length * 2];
        int mask = _keys.Length - 1;
        for (int i = 0; i < oldKeys.Length; i++)
        {
            object? key = oldKeys[i];
            if (key is null) continue;
            int slot = RuntimeHelpers.GetHashCode(key) & mask;
            while (_keys[slot] is not null) slot = (slot + 1) & mask;
            _keys[slot] = key;
            _values[slot] = oldValues[i];
        }
    }

    public void Clear()
    {
        if (_count == 0) return;
        // The table grows (and moves its keys) only past 8 objects, so up to 8 the remembered slots are where they were.
        if (_count <= TrackedSlots)
        {
            for (int i = 0; i < _count; i++) _keys[_usedSlots[i]] = null;
        }
        else if (_keys.Length > 4096)
        {
            _keys = new object?[16];
            _values = new int[16];
        }
        else
        {
            Array.Clear(_keys);
        }
        _count = 0;
    }
}
