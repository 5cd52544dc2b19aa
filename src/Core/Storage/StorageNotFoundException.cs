namespace Wren.Storage;

/// <summary>An object that should be in storage is not.</summary>
public sealed class StorageNotFoundException : WrenException
{
    /// <summary>Creates the exception for a missing key.</summary>
    public StorageNotFoundException(string key, string storage)
        : base($"'{key}' is not in {storage}; it was deleted (by `wren cleanup`?) or written to another storage location")
    {
        Key = key;
    }

    /// <summary>The key that was not found.</summary>
    public string Key { get; }
}
