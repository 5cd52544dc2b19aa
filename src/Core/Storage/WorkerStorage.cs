using Wren.Protocol;

namespace Wren.Storage;

/// <summary>Opens the storage an invocation names.</summary>
internal static class WorkerStorage
{
    public static IObjectStorage Open(StorageLocation location) => location.Kind switch
    {
        StorageLocation.Local => new FileStorage(location.Path ?? throw new WrenException("A local storage location needs a path.")),
        StorageLocation.S3 => new S3Storage(
            location.Bucket ?? throw new WrenException("An S3 storage location needs a bucket."),
            location.Region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? throw new WrenException("An S3 storage location needs a region.")),
        _ => throw new WrenException($"This worker cannot open storage of kind '{location.Kind}'."),
    };
}
