using Wren.Serialization.MessagePack;

namespace Wren.Serialization.Formatters;

/// <summary>Collections built empty and filled with Add (HashSet, SortedSet, LinkedList, Collection, user collections).</summary>
internal sealed class AddCollectionFormatter<TCollection, T> : Formatter<TCollection> where TCollection : ICollection<T>, new()
{
    public override void Write(MessagePackWriter writer, TCollection value, WriteContext context) =>
        Elements<T>.Write(writer, value, value.Count, context);

    public override TCollection Read(ref MessagePackReader reader, ReadContext context)
    {
        int count = reader.ReadArrayHeader();
        var collection = new TCollection();
        context.OnCreated(collection);
        for (int i = 0; i < count; i++) collection.Add(Elements<T>.ReadOne(ref reader, context, i));
        return collection;
    }
}

/// <summary>
/// Collections created from all their elements at once: queues and stacks, read-only wrappers, immutable collections.
/// They exist only after their contents are read, so a cycle through one cannot be restored.
/// </summary>
internal sealed class ConstructedCollectionFormatter<TCollection, T>(Func<T[], TCollection> create, bool reversed = false) : Formatter<TCollection>
    where TCollection : IEnumerable<T>
{
    public override void Write(MessagePackWriter writer, TCollection value, WriteContext context)
    {
        T[] elements = [.. value];
        // A stack enumerates from the top, but rebuilding it pushes in order: write bottom first.
        if (reversed) Array.Reverse(elements);
        Elements<T>.Write(writer, elements, context);
    }

    public override TCollection Read(ref MessagePackReader reader, ReadContext context) =>
        create(Elements<T>.ReadArray(ref reader, context, register: false));
}

/// <summary>A collection interface (IEnumerable, IList, IReadOnlyList, ISet...): any implementation is written as an
/// array; data is read as <typeparamref name="TDefault"/>.</summary>
internal sealed class SequenceFormatter<TSequence, T, TDefault> : Formatter<TSequence>
    where TSequence : class, IEnumerable<T>
    where TDefault : class, TSequence
{
    public override void Write(MessagePackWriter writer, TSequence value, WriteContext context)
    {
        if (value.GetType() == typeof(TDefault))
        {
            CoreFormatterCache<TDefault>.Instance.Write(writer, (TDefault)value, context);
            return;
        }
        switch (value)
        {
            case ICollection<T> collection:
                Elements<T>.Write(writer, collection, collection.Count, context);
                break;
            case IReadOnlyCollection<T> readOnly:
                Elements<T>.Write(writer, readOnly, readOnly.Count, context);
                break;
            default:
                T[] elements = [.. value];
                Elements<T>.Write(writer, elements, context);
                break;
        }
    }

    public override TSequence Read(ref MessagePackReader reader, ReadContext context) => CoreFormatterCache<TDefault>.Instance.Read(ref reader, context);
}
