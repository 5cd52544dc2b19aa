using System.Collections;
using System.Runtime.CompilerServices;
using Wren.Jobs;
using Wren.Plots;

namespace Wren;

/// <summary>The futures of one Map, in input order; await it for every result.</summary>
public sealed class FutureList<T> : IReadOnlyList<Future<T>>
{
    private readonly Lazy<Task<T[]>> _all;

    internal FutureList(string jobId, FutureStates<T> states)
    {
        JobId = jobId;
        States = states;
        _all = new Lazy<Task<T[]>>(states.AllAsync);
    }

    /// <summary>The state of every call, in arrays; a future is made from it only when one is asked for.</summary>
    internal FutureStates<T> States { get; }

    /// <summary>The id of the Map's job (executor id, then the job's number), as <c>wren logs --job</c>, <c>wren plot --job</c> and <c>wren jobs</c> know it.</summary>
    public string JobId { get; }

    /// <summary>Where the Map's function is written, such as <c>Program.cs:12</c> (from the PDB; else its type and method).</summary>
    public string Name { get; internal init; } = "";

    /// <summary>
    /// What the Map has cost so far: invocations, billed GB-seconds, requests, and an estimate in USD from AWS's list
    /// prices (zero on the local backend). Complete once every future has completed.
    /// </summary>
    public JobCost Cost => Meter.Snapshot();

    internal JobMeter Meter { get; init; } = new();

    /// <inheritdoc />
    public Future<T> this[int index] => States.FutureOf(index);

    /// <inheritdoc />
    public int Count => States.Count;

    /// <summary>Waits for every result, in input order; throws the first failure if any call failed.</summary>
    public Task<T[]> GetResultsAsync(CancellationToken cancellationToken = default) => _all.Value.WaitAsync(cancellationToken);

    /// <summary>Lets <c>await futures</c> give every result in input order.</summary>
    public TaskAwaiter<T[]> GetAwaiter() => _all.Value.GetAwaiter();

    /// <summary>The futures in the order they complete.</summary>
    public async IAsyncEnumerable<Future<T>> AsCompleted([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var byTask = this.ToDictionary(f => f.Completion);
        await foreach (Task done in Task.WhenEach(byTask.Keys).WithCancellation(cancellationToken).ConfigureAwait(false))
            yield return byTask[done];
    }

    /// <summary>
    /// Waits for every call to end, then writes the Map's timeline to <paramref name="path"/> as an SVG: when each call was
    /// submitted, started and ended, which were cold starts, and how many ran at once (what <c>wren plot</c> draws).
    /// </summary>
    public async Task SaveTimelineAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Forced to yield: the count's continuations would otherwise draw the plot on the thread that completed the last call.
        await States.Done.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
        cancellationToken.ThrowIfCancellationRequested();
        CallRecord[] calls = [.. Enumerable.Range(0, Count).Select(i => CallRecords.From(States, i))];
        await File.WriteAllTextAsync(path, TimelinePlot.Render(calls, Name.Length > 0 ? $"Job {JobId}  ·  {Name}" : $"Job {JobId}"), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public IEnumerator<Future<T>> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return States.FutureOf(i);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
