using Wren.Serialization.MessagePack;

namespace Wren.Serialization.Formatters;

/// <summary>Writes and reads the entries of maps, adding the key to the path of any failure.</summary>
internal static class Entries<TKey, TValue>
{
    public static void Write(MessagePackWriter writer, IEnumerable<KeyValuePair<TKey, TValue>> entries, int count, WriteContext context)
    {
        writer.WriteMapHeader(count);
        Formatter<TKey> keys = FormatterCache<TKey>.Instance;
        Formatter<TValue> values = FormatterCache<TValue>.Instance;
        int written = 0;
        foreach (KeyValuePair<TKey, TValue> entry in entries)
        {
            if (++written > count) throw new WrenSerializationException($"the dictionary changed while it was being written: it had {count} entries and then more");
            try
            {
                keys.Write(writer, entry.Key, context);
                values.Write(writer, entry.Value, context);
            }
            catch (Exception e) when (ErrorPath.Key(e, entry.Key))
            {
                throw;
            }
        }
        if (written != count) throw new WrenSerializationException($"the dictionary changed while it was being written: it had {count} entries and then {written}");
    }

    /// <summary>Reads <paramref name="count"/> entries (the map header was read) and hands each to <paramref name="add"/>.</summary>
    public static void Read<TState>(ref MessagePackReader reader, int count, ReadContext context, TState state, Action<TState, TKey, TValue> add)
    {
        Formatter<TKey> keys = FormatterCache<TKey>.Instance;
        Formatter<TValue> values = FormatterCache<TValue>.Instance;
        for (int i = 0; i < count; i++)
        {
            int start = reader.Position;
            TKey key;
            try
            {
                key = keys.Read(ref reader, context);
            }
            catch (Exception e) when (ErrorPath.Index(e, i))
            {
                throw;
            }
            if (key is null) throw new WrenSerializationException($"the map key at byte {start} is nil; dictionary keys cannot be null");
            try
            {
                add(state, key, values.Read(ref reader, context));
            }
            catch (ArgumentException e)
            {
                throw new WrenSerializationException($"the map has the key {key} twice (again at byte {start})", e);
            }
            catch (Exception e) when (ErrorPath.Key(e, key))
            {
                throw;
            }
        }
    }
}

/// <summary>Dictionaries built empty and filled with Add (Dictionary, SortedDictionary, SortedList, ConcurrentDictionary, user ones).</summary>
internal sealed class AddDictionaryFormatter<TDictionary, TKey, TValue> : Formatter<TDictionary>
    where TDictionary : IDictionary<TKey, TValue>, new()
{
    public override void Write(MessagePackWriter writer, TDictionary value, WriteContext context) =>
        Entries<TKey, TValue>.Write(writer, value, value.Count, context);

    public override TDictionary Read(ref MessagePackReader reader, ReadContext context)
    {
        int count = reader.ReadMapHeader();
        var dictionary = new TDictionary();
        context.OnCreated(dictionary);
        Entries<TKey, TValue>.Read(ref reader, count, context, dictionary, static (d, k, v) => d.Add(k, v));
        return dictionary;
    }
}

/// <summary>Dictionaries created from all their entries at once (read-only and immutable ones).</summary>
internal sealed class ConstructedDictionaryFormatter<TDictionary, TKey, TValue>(Func<Dictionary<TKey, TValue>, TDictionary> create) : Formatter<TDictionary>
    where TDictionary : IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : notnull
{
    public override void Write(MessagePackWriter writer, TDictionary value, WriteContext context)
    {
        KeyValuePair<TKey, TValue>[] entries = [.. value];
        Entries<TKey, TValue>.Write(writer, entries, entries.Length, context);
    }

    public override TDictionary Read(ref MessagePackReader reader, ReadContext context)
    {
        int count = reader.ReadMapHeader();
        var entries = new Dictionary<TKey, TValue>(count);
        Entries<TKey, TValue>.Read(ref reader, count, context, entries, static (d, k, v) => d.Add(k, v));
        return create(entries);
    }
}

/// <summary>A dictionary interface: any implementation is written as a map; data is read as <typeparamref name="TDefault"/>.</summary>
internal sealed class MapFormatter<TMap, TKey, TValue, TDefault> : Formatter<TMap>
    where TMap : class, IEnumerable<KeyValuePair<TKey, TValue>>
    where TDefault : class, TMap
{
    public override void Write(MessagePackWriter writer, TMap value, WriteContext context)
    {
        if (value.GetType() == typeof(TDefault))
        {
            CoreFormatterCache<TDefault>.Instance.Write(writer, (TDefault)value, context);
            return;
        }
        KeyValuePair<TKey, TValue>[] entries = [.. value];
        Entries<TKey, TValue>.Write(writer, entries, entries.Length, context);
    }

    public override TMap Read(ref MessagePackReader reader, ReadContext context) => CoreFormatterCache<TDefault>.Instance.Read(ref reader, context);
}
