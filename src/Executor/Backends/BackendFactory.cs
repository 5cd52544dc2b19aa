using Wren.Backends.Local;
using Wren.Configuration;

namespace Wren.Backends;

/// <summary>Builds the backend a configuration names.</summary>
internal static class BackendFactory
{
    public static IComputeBackend Create(WrenConfiguration configuration) => configuration.Backend switch
    {
        WrenBackend.Local => new LocalBackend(configuration.StoragePath, configuration.Prefix, configuration.LocalWorkers, configuration.Time),
        _ => throw new WrenException($"The {configuration.Backend.ToString().ToLowerInvariant()} backend is not available in this version of Wren; use the local backend (WREN_BACKEND=local)."),
    };
}
