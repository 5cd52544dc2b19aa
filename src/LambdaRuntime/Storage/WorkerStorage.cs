using Wren.Protocol;

namespace Wren.Storage;

/// <summary>Opens the storage an invocation names.</summary>
internal static class WorkerStorage
{
    public static IObjectStorage Open(StorageLocation location) => location.Kind switch
    {
        StorageLocation.Local => new FileStorage(location.Path ?? throw new WrenException("A local storage location needs a path.")),
        _ => throw new WrenException($"This worker cannot open storage of kind '{location.Kind}'."),
    };
}
