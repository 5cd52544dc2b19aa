namespace Wren.Data;

/// <summary>
/// A key or prefix as a user writes it: the storage's own key (<c>books/a.txt</c>), or another bucket's
/// (<c>s3://bucket/books/a.txt</c>, null <see cref="Bucket"/> meaning the executor's own).
/// </summary>
internal readonly record struct DataLocation(string? Bucket, string Key)
{
    private const string Scheme = "s3://";

    public static DataLocation Parse(string location, bool prefix)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (!location.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            Check(location, location, prefix);
            return new DataLocation(null, location);
        }
        string rest = location[Scheme.Length..];
        int slash = rest.IndexOf('/');
        string bucket = slash < 0 ? rest : rest[..slash];
        string key = slash < 0 ? "" : rest[(slash + 1)..];
        if (bucket.Length == 0) throw new ArgumentException($"'{location}' names no bucket: write s3://<bucket>/<key>.", nameof(location));
        Check(location, key, prefix);
        return new DataLocation(bucket, key);
    }

    /// <summary>The location of a key in the same bucket as this one, as the user would write it.</summary>
    public string Name(string key) => Bucket is null ? key : $"{Scheme}{Bucket}/{key}";

    private static void Check(string location, string key, bool prefix)
    {
        if (key.StartsWith('/')) throw new ArgumentException($"'{location}': keys do not start with '/'; write '{key.TrimStart('/')}'.", nameof(location));
        if (!prefix && key.Length == 0) throw new ArgumentException($"'{location}' names no object: give a key.", nameof(location));
    }
}
