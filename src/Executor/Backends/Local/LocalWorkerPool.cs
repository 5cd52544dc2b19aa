namespace Wren.Backends.Local;

/// <summary>
/// Local workers with one memory setting, and the Runtime API they poll. Workers start when a Map first asks for them
/// (<see cref="Warm"/>) or with the first invocation, and stay warm; one that exits, for whatever reason, is replaced.
/// </summary>
internal sealed class LocalWorkerPool : IAsyncDisposable
{
    private readonly RuntimeApiServer _server = new();
    private readonly List<WorkerProcess> _workers = [];
    private readonly int _size;
    private readonly int _memoryMb;
    private readonly TimeProvider _time;
    private readonly Action<string, string>? _onWorkerLine;
    private readonly ITimer _backstop;
    private int _started;
    private bool _disposed;

    /// <summary>How often the backstop looks for a worker that holds an invocation past its patience.</summary>
    private static readonly TimeSpan BackstopPeriod = TimeSpan.FromSeconds(1);

    public LocalWorkerPool(int size, int memoryMb, TimeProvider time, Action<string, string>? onWorkerLine = null)
    {
        _size = size;
        _memoryMb = memoryMb;
        _time = time;
        _onWorkerLine = onWorkerLine;
        _server.WorkerReady += id => WorkerReady?.Invoke(id);
        // One timer for every invocation, rather than one per invocation (every CallAsync is one).
        _backstop = time.CreateTimer(_ => Backstop(), null, BackstopPeriod, BackstopPeriod);
    }

    /// <summary>Raised when a worker first asks for work, with its id.</summary>
    public event Action<string>? WorkerReady;

    public IReadOnlyList<WorkerProcess> Workers
    {
        get
        {
            lock (_workers) return [.. _workers];
        }
    }

    public async Task<InvocationOutcome> InvokeAsync(byte[] envelope, InvocationSettings settings, Action onRunning, CancellationToken cancellationToken)
    {
        // The worker enforces each call's timeout itself; the backstop stops a worker that holds this past its patience.
        TimeSpan patience = settings.CallTimeout * settings.Calls + TimeSpan.FromSeconds(30);
        var invocation = new LocalInvocation(envelope, _time.GetUtcNow() + patience, patience, onRunning);
        Warm();
        _server.Enqueue(invocation);
        using CancellationTokenRegistration cancel = cancellationToken.Register(() => invocation.Finish(new InvocationOutcome.Lost("cancelled")));
        InvocationOutcome outcome = await invocation.Answer.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return outcome;
    }

    /// <summary>Stops each worker that holds an invocation past its deadline, and fails the invocation as lost (its calls run again).</summary>
    private void Backstop()
    {
        DateTimeOffset now = _time.GetUtcNow();
        foreach (LocalInvocation invocation in _server.InFlight)
        {
            if (now < invocation.Deadline || invocation.WorkerId is not { } holder || invocation.Outcome.Task.IsCompleted) continue;
            Kill(holder);
            invocation.Finish(new InvocationOutcome.Lost($"worker {holder} did not answer within {invocation.Patience.TotalSeconds:0} s and was stopped"));
        }
    }

    /// <summary>Starts the workers that are missing, without waiting for them; a process takes about 100 ms to ask for work.</summary>
    public void Warm()
    {
        lock (_workers)
        {
            while (!_disposed && _workers.Count < _size) StartWorker();
        }
    }

    private void StartWorker()
    {
        string id = $"local-{_memoryMb}mb-{Interlocked.Increment(ref _started)}";
        WorkerProcess worker = WorkerProcess.Start(id, _server.Endpoint, _memoryMb, _time);
        if (_onWorkerLine is { } sink) worker.OnLine = line => sink(id, line);
        worker.Exited += OnExited;
        _workers.Add(worker);
    }

    private void OnExited(WorkerProcess worker, string how)
    {
        lock (_workers) _workers.Remove(worker);
        _server.WorkerLost(worker.Id, how);
        worker.Dispose();
        if (!_disposed && _server.Queued > 0) Warm();
    }

    public void Kill(string workerId)
    {
        WorkerProcess? worker;
        lock (_workers) worker = _workers.FirstOrDefault(w => w.Id == workerId);
        worker?.Kill();
    }

    public async ValueTask DisposeAsync()
    {
        await _backstop.DisposeAsync().ConfigureAwait(false);
        List<WorkerProcess> workers;
        lock (_workers)
        {
            _disposed = true;
            workers = [.. _workers];
            _workers.Clear();
        }
        foreach (WorkerProcess worker in workers)
        {
            worker.Exited -= OnExited;
            worker.Dispose();
        }
        await _server.DisposeAsync().ConfigureAwait(false);
    }
}
