namespace Wren.Jobs;

/// <summary>What is stored about a job when it starts, at <c>jobs/&lt;executor&gt;/&lt;job&gt;/job</c>.</summary>
internal sealed record JobRecord
{
    public required string ExecutorId { get; init; }
    public required string JobId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required int Calls { get; init; }

    /// <summary>The function, as <c>Type.Method</c>.</summary>
    public required string Function { get; init; }

    public required string Backend { get; init; }

    /// <summary>The hashes of the code files the job uses (cleanup keeps those of jobs that remain).</summary>
    public string[] CodeHashes { get; init; } = [];

    /// <summary>The names of the assemblies the job ships (a process attaching reads results of their types).</summary>
    public string[] CodeNames { get; init; } = [];

    /// <summary>Whether the job runs without its client (<c>MapOptions.Detached</c>), keeping every response in storage.</summary>
    public bool Detached { get; init; }

    /// <summary>What the calls return, as <c>Namespace.Type, Assembly</c>: a process attaching must ask for the same.</summary>
    public string? ResultType { get; init; }

    /// <summary>How often a call that threw runs again: a process attaching takes a failure as final after that many.</summary>
    public int RetryFailedCalls { get; init; }

    /// <summary>Each call's timeout and the calls per invocation, for how long a process attaching waits for an answer.</summary>
    public double TimeoutSeconds { get; init; }

    public int ChunkSize { get; init; }
}

/// <summary>
/// How each call of a job went, stored when the job ends at <c>jobs/&lt;executor&gt;/&lt;job&gt;/stats</c>. The calls are
/// kept in columns (one array per field, raw blocks: Wren alone reads this), so a job of millions of calls stores a few
/// arrays rather than a record each; <see cref="Calls"/> reads them back as records, <c>Of</c> makes them.
/// </summary>
internal sealed record JobStats
{
    public required string JobId { get; init; }

    /// <summary>Runs of calls that were duplicated (speculation) and whose other run answered first.</summary>
    public int Duplicates { get; init; }

    /// <summary>How many invocations the job made, retries and duplicates included.</summary>
    public int Invocations { get; init; }

    /// <summary>What Lambda bills for the job's invocations, in GB-seconds (zero on the local backend).</summary>
    public double BilledGbSeconds { get; init; }

    /// <summary>Wren's estimate of the cost in USD, from AWS's list prices (zero on the local backend).</summary>
    public double EstimatedUsd { get; init; }

    /// <summary>Each call's <see cref="CallStatus"/>; the call's id is its index.</summary>
    public byte[] Statuses { get; init; } = [];

    /// <summary>When each call was submitted, started and ended (UTC ticks; 0 where unknown).</summary>
    public long[] SubmittedAt { get; init; } = [];

    public long[] StartedAt { get; init; } = [];

    public long[] EndedAt { get; init; } = [];

    /// <summary>Whether each call was its worker's first: 0 unknown, 1 no, 2 yes.</summary>
    public byte[] ColdStarts { get; init; } = [];

    /// <summary>The workers that ran calls, and each call's index into them (-1 for none).</summary>
    public string[] Workers { get; init; } = [];

    public int[] WorkerOf { get; init; } = [];

    /// <summary>Each call's worker's peak memory and its output size (-1 where unknown), and its input size.</summary>
    public long[] PeakMemoryBytes { get; init; } = [];

    public long[] BytesIn { get; init; } = [];

    public long[] BytesOut { get; init; } = [];

    public int[] Attempts { get; init; } = [];

    /// <summary>The error of each call that failed, by call id.</summary>
    public CallError[] Errors { get; init; } = [];

    /// <summary>
    /// As stored: the columns above packed (<see cref="StatsColumns"/>), and they are empty; null in memory, and in stats
    /// stored raw (by earlier versions). <see cref="WithColumnsUnpacked"/> unpacks them.
    /// </summary>
    public byte[]? Packed { get; init; }

    /// <summary>The stats as a job's own folder stores them: the columns packed, and emptied.</summary>
    public JobStats WithColumnsPacked() => this with
    {
        Packed = StatsColumns.Pack(this),
        Statuses = [],
        SubmittedAt = [],
        StartedAt = [],
        EndedAt = [],
        ColdStarts = [],
        WorkerOf = [],
        PeakMemoryBytes = [],
        BytesIn = [],
        BytesOut = [],
        Attempts = [],
    };

    /// <summary>Stats as read from storage, with their columns unpacked if they were packed; throws <see cref="InvalidDataException"/> on packed bytes that do not read.</summary>
    public JobStats WithColumnsUnpacked() => Packed is { } packed ? StatsColumns.Unpack(this, packed) : this;

    /// <summary>Every call as a record, in call id order.</summary>
    public CallRecord[] Calls()
    {
        var errors = Errors.ToDictionary(e => e.CallId, e => e.Message);
        var calls = new CallRecord[Statuses.Length];
        for (int i = 0; i < calls.Length; i++)
        {
            calls[i] = new CallRecord
            {
                CallId = i,
                Status = (CallStatus)Statuses[i],
                SubmittedAt = new DateTimeOffset(SubmittedAt[i], TimeSpan.Zero),
                StartedAt = StartedAt[i] == 0 ? null : new DateTimeOffset(StartedAt[i], TimeSpan.Zero),
                EndedAt = EndedAt[i] == 0 ? null : new DateTimeOffset(EndedAt[i], TimeSpan.Zero),
                ColdStart = ColdStarts[i] == 0 ? null : ColdStarts[i] == 2,
                WorkerId = WorkerOf[i] < 0 ? null : Workers[WorkerOf[i]],
                PeakMemoryBytes = PeakMemoryBytes[i] < 0 ? null : PeakMemoryBytes[i],
                BytesIn = BytesIn[i],
                BytesOut = BytesOut[i] < 0 ? null : BytesOut[i],
                Attempts = Attempts[i],
                Error = errors.GetValueOrDefault(i),
            };
        }
        return calls;
    }

    /// <summary>The stats of a job whose calls are <paramref name="calls"/> (call i is the record with CallId i).</summary>
    public static JobStats Of(string jobId, IReadOnlyList<CallRecord> calls) => Of(jobId, calls.Count, i => calls[i]);

    /// <summary>The stats of a job of <paramref name="count"/> calls, each record made when it is stored, so that no array of records is held.</summary>
    public static JobStats Of(string jobId, int count, Func<int, CallRecord> call)
    {
        var builder = new Builder(count);
        for (int i = 0; i < count; i++) builder.Set(i, call(i));
        return builder.Build(jobId);
    }

    /// <summary>
    /// Fills the columns call by call, from whatever holds the calls' states (a Map's arrays, records), without an object
    /// per call: a Map of 100,000 calls made two per call before, which took as long as writing the stats.
    /// </summary>
    public sealed class Builder(int count)
    {
        private readonly byte[] _statuses = new byte[count];
        private readonly long[] _submittedAt = new long[count];
        private readonly long[] _startedAt = new long[count];
        private readonly long[] _endedAt = new long[count];
        private readonly byte[] _coldStarts = new byte[count];
        private readonly int[] _workerOf = new int[count];
        private readonly long[] _peakMemoryBytes = new long[count];
        private readonly long[] _bytesIn = new long[count];
        private readonly long[] _bytesOut = new long[count];
        private readonly int[] _attempts = new int[count];
        private readonly Dictionary<string, int> _workers = new(StringComparer.Ordinal);
        private readonly List<CallError> _errors = [];
        // Most calls in a row ran on the same worker, whose id is the same string: it is looked up once.
        private string? _lastWorker;
        private int _lastWorkerIndex;

        public void Set(int row, CallRecord record) => Set(row, record.Status, record.SubmittedAt.UtcTicks, record.StartedAt?.UtcTicks ?? 0, record.EndedAt?.UtcTicks ?? 0,
            record.ColdStart, record.WorkerId, record.PeakMemoryBytes, record.BytesIn, record.BytesOut, record.Attempts, record.Error);

        /// <summary>Call <paramref name="row"/>: times in UTC ticks (0 where unknown), nulls where not measured.</summary>
        public void Set(int row, CallStatus status, long submittedAt, long startedAt, long endedAt, bool? coldStart, string? workerId,
            long? peakMemoryBytes, long bytesIn, long? bytesOut, int attempts, string? error)
        {
            _statuses[row] = (byte)status;
            _submittedAt[row] = submittedAt;
            _startedAt[row] = startedAt;
            _endedAt[row] = endedAt;
            _coldStarts[row] = coldStart switch { null => 0, false => 1, true => 2 };
            _workerOf[row] = workerId is null ? -1 : WorkerIndex(workerId);
            _peakMemoryBytes[row] = peakMemoryBytes ?? -1;
            _bytesIn[row] = bytesIn;
            _bytesOut[row] = bytesOut ?? -1;
            _attempts[row] = attempts;
            if (error is not null) _errors.Add(new CallError(row, error));
        }

        private int WorkerIndex(string workerId)
        {
            if (ReferenceEquals(workerId, _lastWorker)) return _lastWorkerIndex;
            if (!_workers.TryGetValue(workerId, out int index)) _workers[workerId] = index = _workers.Count;
            _lastWorker = workerId;
            return _lastWorkerIndex = index;
        }

        public JobStats Build(string jobId) => new()
        {
            JobId = jobId,
            Statuses = _statuses,
            SubmittedAt = _submittedAt,
            StartedAt = _startedAt,
            EndedAt = _endedAt,
            ColdStarts = _coldStarts,
            WorkerOf = _workerOf,
            PeakMemoryBytes = _peakMemoryBytes,
            BytesIn = _bytesIn,
            BytesOut = _bytesOut,
            Attempts = _attempts,
            Workers = [.. _workers.OrderBy(w => w.Value).Select(w => w.Key)],
            Errors = [.. _errors.OrderBy(e => e.CallId)],
        };
    }

    /// <summary>How many calls ended with <paramref name="status"/>.</summary>
    public int Count(CallStatus status) => Statuses.AsSpan().Count((byte)status);
}

/// <summary>A call's error, as stored with the job's stats.</summary>
internal sealed record CallError(int CallId, string Message);

/// <summary>How one call went.</summary>
internal sealed record CallRecord
{
    public required int CallId { get; init; }
    public required CallStatus Status { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public bool? ColdStart { get; init; }
    public string? WorkerId { get; init; }
    public long? PeakMemoryBytes { get; init; }
    public long BytesIn { get; init; }
    public long? BytesOut { get; init; }
    public int Attempts { get; init; }

    /// <summary>For a failed call: the exception's type and message.</summary>
    public string? Error { get; init; }
}

/// <summary>How a call ended, as stored.</summary>
internal enum CallStatus
{
    Succeeded,
    Failed,
    TimedOut,
    Lost,
    Cancelled,
}

/// <summary>
/// The records and stats of several short jobs of one executor, stored as one object at
/// <c>jobs/&lt;executor&gt;/page-&lt;first job&gt;</c> rather than a folder and two objects each (see <c>JobBook</c>).
/// </summary>
internal sealed record JobPage
{
    public JobPageEntry[] Jobs { get; init; } = [];

    /// <summary>Job <paramref name="jobId"/> of the page's executor, or null if it is not on the page.</summary>
    public JobPageEntry? Of(string jobId) => Jobs.FirstOrDefault(j => j.Record.JobId == jobId);
}

/// <summary>One job in a <see cref="JobPage"/>: what its own folder would hold as <c>job</c> and <c>stats</c>.</summary>
internal sealed record JobPageEntry
{
    public required JobRecord Record { get; init; }
    public required JobStats Stats { get; init; }
}
