namespace Wren;

/// <summary>
/// How <c>WrenExecutor.MapObjects</c> splits objects into calls: by bytes, or into a number of chunks per object; with
/// neither, one call per object.
/// </summary>
public sealed class ObjectChunking
{
    /// <summary>The bytes of an object each call gets (the last chunk may be shorter); null for none.</summary>
    public long? ChunkBytes { get; init; }

    /// <summary>The number of chunks each object is split into (fewer for an object smaller than that many bytes); null for none.</summary>
    public int? ChunksPerObject { get; init; }

    /// <summary>
    /// Whether every line of an object is in exactly one chunk, whole (default true): a chunk that does not start the
    /// object drops the partial line it starts in, and reads past its end to finish its last line.
    /// </summary>
    public bool AlignToLines { get; init; } = true;

    /// <summary>Checks the options once, naming every bad one.</summary>
    internal void Validate()
    {
        var problems = new List<string>();
        if (ChunkBytes is < 1) problems.Add($"ChunkBytes is {ChunkBytes}; give at least 1 byte, or null for whole objects");
        if (ChunksPerObject is < 1) problems.Add($"ChunksPerObject is {ChunksPerObject}; give at least 1, or null for whole objects");
        if (ChunkBytes is not null && ChunksPerObject is not null) problems.Add("ChunkBytes and ChunksPerObject are both set; give one of them");
        if (problems.Count > 0) throw new ArgumentException($"Invalid ObjectChunking: {string.Join("; ", problems)}.");
    }

    /// <summary>The (offset, length) ranges of an object of <paramref name="size"/> bytes.</summary>
    internal IEnumerable<(long Offset, long Length)> Split(long size)
    {
        long chunk = ChunkBytes ?? (ChunksPerObject is { } count ? Math.Max(1, (size + count - 1) / count) : size);
        for (long offset = 0; offset < size; offset += chunk) yield return (offset, Math.Min(chunk, size - offset));
    }
}
