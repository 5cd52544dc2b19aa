namespace Wren.Protocol;

/// <summary>
/// What a worker returns for an invocation: every call of the request, in order, in columns. A chunk of 100,000 calls
/// travels as a few arrays (raw blocks: both ends are Wren), not as 100,000 records, and the common case, a call that
/// returned a small output, is read from the columns alone. What is rare (an error, an output in storage, a log tail)
/// is in <see cref="Details"/>. <see cref="Of"/> builds one from records, <see cref="Results"/> reads them back as records.
/// </summary>
internal sealed record InvocationResponse
{
    public required string WorkerId { get; init; }

    /// <summary>Set when the worker will exit after this response (a call ran past its timeout and is still running).</summary>
    public bool WorkerExiting { get; init; }

    /// <summary>
    /// The calls answered, in the request's order, in a stored response (read where the request is not). Empty in a
    /// response that goes back to the client that sent the request: it answers every call of the request, in order.
    /// </summary>
    public required int[] CallIds { get; init; }

    /// <summary>How many calls the response answers.</summary>
    public int Count => Outcomes.Length;

    /// <summary>Each call's <see cref="CallOutcome"/>.</summary>
    public required byte[] Outcomes { get; init; }

    /// <summary>Each call's output length in bytes (also for an output kept in storage); 0 for a call with none.</summary>
    public required int[] OutputLengths { get; init; }

    /// <summary>The outputs that travel in the response, one after another in call order.</summary>
    public required byte[] Outputs { get; init; }

    /// <summary>
    /// Each call's input length in bytes, for a reader without the inputs: in a stored response (read by a client that
    /// attaches to the job, or by <c>wren jobs</c>). Empty in a response that goes back to the client that sent the
    /// calls, which knows them (<see cref="StatsOf"/> is told).
    /// </summary>
    public int[] InputLengths { get; init; } = [];

    /// <summary>
    /// When each call started and ended, packed (<see cref="PackTimes"/>): two or three bytes a call where two 8-byte
    /// columns took sixteen, and a client that runs a Map reads them only when it is asked for a call's stats.
    /// </summary>
    public required byte[] Times { get; init; }

    [NonSerialized]
    private TimeColumns? _times;

    private sealed record TimeColumns(byte[] Packed, long[] Started, long[] Ended);

    /// <summary>When each call started (UTC ticks); 0 for a call with no stats. Unpacked from <see cref="Times"/> at the first look.</summary>
    public long[] Started => UnpackedTimes.Started;

    /// <summary>When each call ended (UTC ticks); 0 for a call with no stats.</summary>
    public long[] Ended => UnpackedTimes.Ended;

    // Unpacked once (a race unpacks twice, to the same values), for the bytes it was unpacked from (a copy made with
    // `with` may have others).
    private TimeColumns UnpackedTimes
    {
        get
        {
            if (Volatile.Read(ref _times) is { } times && ReferenceEquals(times.Packed, Times) && times.Started.Length == Count) return times;
            (long[] started, long[] ended) = UnpackTimes(Times, Count);
            return _times = new TimeColumns(Times, started, ended);
        }
    }

    /// <summary>
    /// Packs the calls' start and end times (UTC ticks): for each call, a varint of 0 if it has none; else a varint of
    /// one more than its start's difference from the previous call's start, zigzagged (side by side, a call may start
    /// before the one listed before it), then a varint of its end's difference from its start, zigzagged. A trivial
    /// call's differences are a few ticks, one byte each.
    /// </summary>
    public static byte[] PackTimes(long[] started, long[] ended)
    {
        var packed = new byte[started.Length * 4 + 20];
        int at = 0;
        long previous = 0;
        for (int i = 0; i < started.Length; i++)
        {
            if (at + 2 * Varint.MaxBytes > packed.Length) Array.Resize(ref packed, packed.Length * 2);
            if (started[i] == 0 && ended[i] == 0)
            {
                packed[at++] = 0;
                continue;
            }
            at += Varint.Write(packed.AsSpan(at), Varint.ZigZag(started[i] - previous) + 1);
            at += Varint.Write(packed.AsSpan(at), Varint.ZigZag(ended[i] - started[i]));
            previous = started[i];
        }
        Array.Resize(ref packed, at);
        return packed;
    }

    /// <summary>Reads what <see cref="PackTimes"/> wrote for <paramref name="count"/> calls.</summary>
    public static (long[] Started, long[] Ended) UnpackTimes(byte[] packed, int count)
    {
        long[] started = new long[count], ended = new long[count];
        int at = 0;
        long previous = 0;
        for (int i = 0; i < count; i++)
        {
            ulong first = ReadVarint(packed, ref at);
            if (first == 0) continue;
            started[i] = previous + Varint.UnZigZag(first - 1);
            ended[i] = started[i] + Varint.UnZigZag(ReadVarint(packed, ref at));
            previous = started[i];
        }
        if (at != packed.Length) throw new WrenException($"An invocation's answer has {packed.Length - at} bytes of call times beyond its {count} calls: it was damaged on its way.");
        return (started, ended);
    }

    private static ulong ReadVarint(byte[] from, ref int at)
    {
        int taken = Varint.TryRead(from.AsSpan(at), out ulong value);
        if (taken <= 0) throw new WrenException("An invocation's answer has its call times cut short: it was damaged on its way.");
        at += taken;
        return value;
    }

    /// <summary>
    /// The invocation's billed time (ms, rounded up), which its calls share in proportion to their run times
    /// (<see cref="BilledShareOf"/>): one number rather than a column, which a Map of 100,000 calls made 800 KB.
    /// </summary>
    public long BilledMs { get; init; }

    // Worked out at the first look, for the values they were worked out from (a copy made with `with` may change them).
    [NonSerialized]
    private BilledShares? _billedShares;

    private sealed record BilledShares(long[] Started, long Billed, long[] Shares);

    /// <summary>Call <paramref name="index"/>'s share of <see cref="BilledMs"/>: the shares of the calls that ran add up to it.</summary>
    public long BilledShareOf(int index)
    {
        long[] started = Started;
        if (Volatile.Read(ref _billedShares) is not { } shares || !ReferenceEquals(shares.Started, started) || shares.Billed != BilledMs)
            _billedShares = shares = new BilledShares(started, BilledMs, SplitBilled(started, Ended, BilledMs));
        return shares.Shares[index];
    }

    /// <summary>
    /// Splits <paramref name="billed"/> among the calls that ran (an end time), in proportion to their run times, each
    /// share rounded so that the shares add up to the whole.
    /// </summary>
    public static long[] SplitBilled(long[] started, long[] ended, long billed)
    {
        var shares = new long[started.Length];
        int ran = 0;
        double total = 0;
        for (int i = 0; i < started.Length; i++)
        {
            if (ended[i] == 0) continue;
            ran++;
            total += Math.Max(ended[i] - started[i], 0);
        }
        if (ran == 0) return shares;
        double cumulative = 0;
        long given = 0;
        for (int i = 0; i < started.Length; i++)
        {
            if (ended[i] == 0) continue;
            cumulative += total > 0 ? Math.Max(ended[i] - started[i], 0) / total : 1.0 / ran;
            long share = (long)Math.Round(cumulative * billed) - given;
            given += share;
            shares[i] = share;
        }
        return shares;
    }

    /// <summary>The index of the call that was the worker's first (its cold start), or -1.</summary>
    public int ColdCall { get; init; } = -1;

    /// <summary>The worker's peak memory when it answered.</summary>
    public long PeakMemoryBytes { get; init; }

    /// <summary>What some calls have beyond the columns, in index order.</summary>
    public CallDetail[] Details { get; init; } = [];

    /// <summary>The answer for <paramref name="calls"/>, made from records.</summary>
    public static InvocationResponse Of(string workerId, IReadOnlyList<CallResult> calls, bool workerExiting = false)
    {
        int count = calls.Count;
        var response = new InvocationResponse
        {
            WorkerId = workerId,
            WorkerExiting = workerExiting,
            CallIds = new int[count],
            Outcomes = new byte[count],
            OutputLengths = new int[count],
            Outputs = [.. calls.Where(c => c.OutputKey is null && c.Output is not null).SelectMany(c => c.Output!)],
            InputLengths = new int[count],
            Times = PackTimes(
                [.. calls.Select(c => c.Stats?.Started.Ticks ?? 0)],
                [.. calls.Select(c => c.Stats?.Ended.Ticks ?? 0)]),
            BilledMs = calls.Sum(c => c.Stats?.BilledMs ?? 0),
            ColdCall = calls.Select((c, i) => c.Stats is { ColdStart: true } ? i : -1).FirstOrDefault(i => i >= 0, -1),
            PeakMemoryBytes = calls.Max(c => c.Stats?.PeakMemoryBytes) ?? 0,
            Details = [.. calls.Select((c, i) => (c, i)).Where(p => p.c.Error is not null || p.c.OutputKey is not null || p.c.LogTail is not null)
                .Select(p => new CallDetail(p.i) { Error = p.c.Error, OutputKey = p.c.OutputKey, LogTail = p.c.LogTail })],
        };
        for (int i = 0; i < count; i++)
        {
            CallResult call = calls[i];
            response.CallIds[i] = call.CallId;
            response.Outcomes[i] = (byte)call.Outcome;
            response.OutputLengths[i] = call.OutputKey is not null ? (int)(call.Stats?.BytesOut ?? 0) : call.Output?.Length ?? 0;
            if (call.Stats is not { } stats) continue;
            response.InputLengths[i] = (int)stats.BytesIn;
        }
        return response;
    }

    /// <summary>
    /// Each call as a record (for the paths where calls are few or rare: the columns are for the common one), with its
    /// id from <see cref="CallIds"/>, or from <paramref name="requestCallIds"/> where the response does not name them.
    /// </summary>
    public IEnumerable<CallResult> Results(int[]? requestCallIds = null)
    {
        int[] callIds = CallIds.Length > 0 ? CallIds : requestCallIds ?? [];
        if (callIds.Length != Count)
            throw new InvalidOperationException($"The response answers {Count} calls and names {callIds.Length}: a response that does not name its calls is read with its request's call ids.");
        var reader = new Reader(this);
        for (int i = 0; i < callIds.Length; i++)
        {
            ReadOnlySpan<byte> inline = reader.Next(i, out CallDetail? detail);
            yield return new CallResult
            {
                CallId = callIds[i],
                Outcome = (CallOutcome)Outcomes[i],
                Output = (CallOutcome)Outcomes[i] == CallOutcome.Succeeded && detail?.OutputKey is null ? inline.ToArray() : null,
                OutputKey = detail?.OutputKey,
                Error = detail?.Error,
                LogTail = detail?.LogTail,
                Stats = StatsOf(i),
            };
        }
    }

    /// <summary>
    /// Call <paramref name="index"/>'s stats, or null if it has none (it did not run); its input length is
    /// <paramref name="bytesIn"/> where the response does not carry it (<see cref="InputLengths"/>).
    /// </summary>
    public CallStats? StatsOf(int index, long bytesIn = 0) => Started[index] == 0 && Ended[index] == 0 ? null : new CallStats
    {
        Started = new DateTime(Started[index], DateTimeKind.Utc),
        Ended = new DateTime(Ended[index], DateTimeKind.Utc),
        ColdStart = index == ColdCall,
        WorkerId = WorkerId,
        PeakMemoryBytes = PeakMemoryBytes,
        BytesIn = index < InputLengths.Length ? InputLengths[index] : bytesIn,
        BytesOut = OutputLengths[index],
        BilledMs = BilledShareOf(index),
    };

    /// <summary>Walks the calls in order: each call's inline output and its detail, if it has one.</summary>
    public struct Reader(InvocationResponse response)
    {
        private int _offset;
        private int _detail;

        /// <summary>Call <paramref name="index"/>'s output in the response (empty if it has none there); call it for every index in order.</summary>
        public ReadOnlySpan<byte> Next(int index, out CallDetail? detail)
        {
            CallDetail[] details = response.Details;
            detail = _detail < details.Length && details[_detail].Index == index ? details[_detail++] : null;
            if ((CallOutcome)response.Outcomes[index] != CallOutcome.Succeeded || detail?.OutputKey is not null) return [];
            int length = response.OutputLengths[index];
            ReadOnlySpan<byte> output = response.Outputs.AsSpan(_offset, length);
            _offset += length;
            return output;
        }
    }
}

/// <summary>What a call has beyond the columns: its error, where its output is stored, the last lines it wrote.</summary>
internal sealed record CallDetail(int Index)
{
    public RemoteError? Error { get; init; }
    public string? OutputKey { get; init; }
    public string? LogTail { get; init; }
}

/// <summary>How one call ended.</summary>
internal enum CallOutcome
{
    Succeeded,
    Failed,
    TimedOut,
    NotRun,
}

/// <summary>One call's result: its output (inline or in storage) or its error, and its stats.</summary>
internal sealed record CallResult
{
    public required int CallId { get; init; }
    public required CallOutcome Outcome { get; init; }
    public byte[]? Output { get; init; }
    public string? OutputKey { get; init; }
    public RemoteError? Error { get; init; }
    public CallStats? Stats { get; init; }

    /// <summary>The last lines the call wrote, if any.</summary>
    public string? LogTail { get; init; }
}

/// <summary>An exception as it crosses processes: type, message, stack trace and the exception that caused it.</summary>
internal sealed record RemoteError(string Type, string Message, string? StackTrace, RemoteError? Inner)
{
    public static RemoteError From(Exception exception, int depth = 0) =>
        new(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.StackTrace,
            exception.InnerException is { } inner && depth < 8 ? From(inner, depth + 1) : null);
}

/// <summary>Measurements of one call, taken on the worker.</summary>
internal readonly record struct CallStats
{
    public DateTime Started { get; init; }
    public DateTime Ended { get; init; }
    public bool ColdStart { get; init; }
    public string WorkerId { get; init; }
    public long PeakMemoryBytes { get; init; }
    public long BytesIn { get; init; }
    public long BytesOut { get; init; }

    /// <summary>
    /// The call's share of its invocation's billed time, in ms: the invocation from the worker taking it to its answer,
    /// rounded up to the millisecond as Lambda bills it, split among its calls in proportion to their run times.
    /// </summary>
    public long BilledMs { get; init; }
}
