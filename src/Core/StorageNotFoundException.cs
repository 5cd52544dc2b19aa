namespace Wren;

/// <summary>An object that should be in storage is not: a missing key in <see cref="WrenStorage"/>, or a job's object.</summary>
public sealed class StorageNotFoundException : WrenException
{
    /// <summary>Creates the exception for a missing key of a job's storage.</summary>
    public StorageNotFoundException(string key, string storage)
        : this(key, storage, $"'{key}' is not in {storage}; it was deleted (by `wren cleanup`?) or written to another storage location")
    {
    }

    internal StorageNotFoundException(string key, string storage, string message) : base(message)
    {
        Key = key;
        Storage = storage;
    }

    /// <summary>The key that was not found.</summary>
    public string Key { get; }

    /// <summary>Where it was looked for: a folder, or <c>s3://bucket</c>.</summary>
    public string Storage { get; }
}
