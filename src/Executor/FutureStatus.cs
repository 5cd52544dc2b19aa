namespace Wren;

/// <summary>Where a call is: Pending, then Invoked, Running, and Succeeded or Failed.</summary>
public enum FutureStatus
{
    /// <summary>Not yet sent to the backend.</summary>
    Pending,

    /// <summary>Sent to the backend, not yet taken by a worker.</summary>
    Invoked,

    /// <summary>A worker is running it.</summary>
    Running,

    /// <summary>It returned a result.</summary>
    Succeeded,

    /// <summary>It threw, timed out, or its worker died more often than the retries allow.</summary>
    Failed,
}
