using Wren.Storage;

namespace Wren.Tests.Backends;

/// <summary>What both halves of the backend contract stand on: the backend's executor, its storage, and how long a Map may take.</summary>
public abstract class BackendTests
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    protected abstract WrenExecutor Executor { get; }

    private protected IObjectStorage Storage => Executor.ComputeBackend.Storage;
}
