using System.Collections;
using System.Runtime.CompilerServices;

namespace Wren;

/// <summary>The futures of one Map, in input order; await it for every result.</summary>
public sealed class FutureList<T> : IReadOnlyList<Future<T>>
{
    private readonly Future<T>[] _futures;
    private readonly Lazy<Task<T[]>> _all;

    internal FutureList(string jobId, Future<T>[] futures)
    {
        JobId = jobId;
        _futures = futures;
        _all = new Lazy<Task<T[]>>(() => Task.WhenAll(_futures.Select(f => f.GetResultAsync())));
    }

    /// <summary>The id of the Map's job (executor id, then the job's number), as <c>wren logs --job</c>, <c>wren plot --job</c> and <c>wren jobs</c> know it.</summary>
    public string JobId { get; }

    /// <inheritdoc />
    public Future<T> this[int index] => _futures[index];

    /// <inheritdoc />
    public int Count => _futures.Length;

    /// <summary>Waits for every result, in input order; throws the first failure if any call failed.</summary>
    public Task<T[]> GetResultsAsync(CancellationToken cancellationToken = default) => _all.Value.WaitAsync(cancellationToken);

    /// <summary>Lets <c>await futures</c> give every result in input order.</summary>
    public TaskAwaiter<T[]> GetAwaiter() => _all.Value.GetAwaiter();

    /// <summary>The futures in the order they complete.</summary>
    public async IAsyncEnumerable<Future<T>> AsCompleted([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var byTask = _futures.ToDictionary(f => f.Completion);
        await foreach (Task done in Task.WhenEach(byTask.Keys).WithCancellation(cancellationToken).ConfigureAwait(false))
            yield return byTask[done];
    }

    /// <inheritdoc />
    public IEnumerator<Future<T>> GetEnumerator() => ((IEnumerable<Future<T>>)_futures).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
