namespace Wren;

/// <summary>One object in <see cref="WrenStorage"/>.</summary>
/// <param name="Key">Its key: the bucket's own key (or, for another bucket, <c>s3://bucket/key</c> as listed).</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="LastModified">When it was last written.</param>
/// <param name="ETag">Its entity tag (S3's; on the local backend one made of its size and time).</param>
public sealed record StorageObject(string Key, long Size, DateTimeOffset LastModified, string ETag);
