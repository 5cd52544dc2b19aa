using System.Text;
using Wren.Data;

namespace Wren;

/// <summary>
/// One call's share of an object in storage, as <c>WrenExecutor.MapObjects</c> hands it to the function: where it is,
/// and streams of its bytes that are read from storage as they are consumed (never the whole object).
/// </summary>
public sealed class ObjectChunk
{
    [NonSerialized]
    private WrenStorage? _storage;

    internal ObjectChunk(string location, string? bucket, string key, long offset, long length, long objectSize, int index, bool alignToLines, WrenStorage? storage)
    {
        Location = location;
        Bucket = bucket;
        Key = key;
        Offset = offset;
        Length = length;
        ObjectSize = objectSize;
        Index = index;
        AlignToLines = alignToLines;
        _storage = storage;
    }

    /// <summary>The object as the Map named it, with its key: <c>books/a.txt</c>, or <c>s3://bucket/books/a.txt</c>.</summary>
    public string Location { get; }

    /// <summary>The object's key in its bucket (or in the local data folder).</summary>
    public string Key { get; }

    /// <summary>Where the chunk starts in the object, in bytes.</summary>
    public long Offset { get; }

    /// <summary>The chunk's bytes before line alignment (see <see cref="ObjectChunking.AlignToLines"/>).</summary>
    public long Length { get; }

    /// <summary>The whole object's size in bytes.</summary>
    public long ObjectSize { get; }

    /// <summary>The chunk's number within its object, from 0.</summary>
    public int Index { get; }

    /// <summary>Another bucket's name, or null for the executor's own store.</summary>
    internal string? Bucket { get; }

    internal bool AlignToLines { get; }

    /// <summary>A stream of the chunk's bytes (whole lines when aligned), read with ranged requests as it is consumed.</summary>
    public Stream OpenRead()
    {
        WrenStorage storage = _storage ?? CallContext.Current?.Storage ?? throw new WrenException(
            $"Chunk {Index} of {Location} has no storage to read from here: it is readable inside the Map's calls, or where MapObjects made it.");
        return new ChunkStream(storage.Store(new DataLocation(Bucket, Key)), Key, Offset, Length, ObjectSize, AlignToLines);
    }

    /// <summary>The chunk's bytes as UTF-8 text (a byte order mark at the object's start is skipped).</summary>
    public TextReader OpenText() => new StreamReader(OpenRead(), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: Offset == 0);

    /// <summary>All of the chunk's bytes.</summary>
    public async Task<byte[]> ReadAllBytesAsync(CancellationToken cancellationToken = default)
    {
        // A read stream has nothing to flush: disposing it synchronously only releases the file or connection.
        using Stream stream = OpenRead();
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>The chunk for display: its object and byte range.</summary>
    public override string ToString() => $"{Location} [{Offset}, {Offset + Length}) of {ObjectSize}";
}
