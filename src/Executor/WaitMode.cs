namespace Wren;

/// <summary>What <see cref="WrenExecutor.WaitAsync(IEnumerable{Future}, WaitMode, CancellationToken)"/> waits for.</summary>
public enum WaitMode
{
    /// <summary>Every future has completed.</summary>
    AllCompleted,

    /// <summary>At least one future has completed.</summary>
    AnyCompleted,

    /// <summary>Nothing: report how things stand now.</summary>
    Always,
}
