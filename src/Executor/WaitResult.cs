namespace Wren;

/// <summary>The futures that have completed (succeeded or failed) and those that have not.</summary>
public sealed record WaitResult(IReadOnlyList<Future> Done, IReadOnlyList<Future> NotDone);
