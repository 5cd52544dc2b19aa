using System.Buffers;
using Wren.Jobs;
using Wren.Protocol;
using Wren.Storage;

namespace Wren.Worker;

/// <summary>One chunk while it runs, its calls, the runners' seats and the calls' results.</summary>
internal sealed partial class ChunkRunner
{
    /// <summary>
    /// What a call has only if it asks for it (most never do): its token, and its <see cref="CallContext"/> with its log,
    /// made when the call (or a line it writes) first looks for them. A trivial call makes none: what identifies it is
    /// in its runner's <see cref="RunnerSeat"/>, and what all of a chunk's calls share is the chunk's.
    /// </summary>
    private sealed class RunningCall(ChunkRun chunk, RunnerSeat seat, int index, int callId, int attempt, long started) : CallContext.ICallControl, IDisposable
    {
        private CancellationTokenSource? _source;
        private CallContext? _context;
        private volatile bool _cancelled;

        public int Index { get; } = index;

        /// <summary>The call's log, if it has a context (a call that never looked for one wrote no line).</summary>
        public CallLog.Scope? Log => Volatile.Read(ref _context)?.Log as CallLog.Scope;

        /// <summary>The call's context, made at the first look (from any thread of the call: one wins).</summary>
        [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The log ends with the call: RunCallAsync disposes it through Log.")]
        public CallContext Context
        {
            get
            {
                if (Volatile.Read(ref _context) is { } existing) return existing;
                var made = new CallContext(chunk.DataStore, this, callId, attempt, chunk.JobId, CallLog.Begin(chunk.JobId, callId));
                return Interlocked.CompareExchange(ref _context, made, null) ?? made;
            }
        }

        public CancellationToken Token
        {
            get
            {
                if (Volatile.Read(ref _source) is { } existing) return existing.Token;
                var made = CancellationTokenSource.CreateLinkedTokenSource(chunk.Token);
                CancellationTokenSource source = Interlocked.CompareExchange(ref _source, made, null) ?? made;
                if (source != made) made.Dispose();
                // A cancel that came before the token (or this object) was made still reaches it.
                if (_cancelled || seat.WasCancelled(Index)) CancelQuietly(source);
                return source.Token;
            }
        }

        public TimeSpan RemainingTime => chunk.RemainingTime(started);

        public void Cancel()
        {
            _cancelled = true;
            CancelQuietly(Volatile.Read(ref _source));
        }

        public void Dispose() => Volatile.Read(ref _source)?.Dispose();
    }

    /// <summary>A running call as the watchdog sees it: its runner's seat, its row in the chunk, its id and its start.</summary>
    private readonly record struct RunningView(RunnerSeat Seat, int Index, int CallId, long Started)
    {
        public void Cancel() => Seat.Cancel(Index);

        /// <summary>The call's log, if it made one.</summary>
        public CallLog.Scope? Log => Seat.Made(Index)?.Log;
    }

    /// <summary>
    /// One runner's place in a chunk: the call it runs now (its row, id, attempt and start, written by the runner alone,
    /// with no object per call), and that call's <see cref="RunningCall"/> once the call asks for its context or token.
    /// Set as the runner's <see cref="CallContext"/> source once per chunk, it answers with the running call's context,
    /// so that a call costs no <see cref="AsyncLocal{T}"/> write (a new execution context each). Work a call leaves
    /// running after it returns keeps the context it had; one that first looks after the call ended finds the runner's
    /// next call, or none.
    /// </summary>
    private sealed class RunnerSeat(ChunkRun chunk) : CallContext.ICallSource
    {
        private const int NoCall = -1;

        private int _index = NoCall;
        private int _callId;
        private int _attempt;
        private long _started;
        private RunningCall? _made;
        private int _cancelled = NoCall;

        /// <summary>The outputs of the runner's calls in this chunk.</summary>
        public OutputBlocks Outputs { get; } = new();

        [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The running call's RunningCall is the seat's: the runner disposes it when the call ends (End).")]
        public CallContext? Context => Control()?.Context;

        /// <summary>The runner starts the call in row <paramref name="index"/>.</summary>
        public void Begin(int index, int callId, int attempt, long started)
        {
            _callId = callId;
            _attempt = attempt;
            _started = started;
            // Published last: whoever sees the row sees the fields written before it.
            Volatile.Write(ref _index, index);
        }

        /// <summary>The runner's call has ended: returns its <see cref="RunningCall"/>, if it made one, for the runner to dispose.</summary>
        public RunningCall? End()
        {
            int index = _index;
            // A full fence: the next call's fields are not seen before this call is seen to have ended.
            Interlocked.Exchange(ref _index, NoCall);
            RunningCall? made = Interlocked.Exchange(ref _made, null);
            if (made is null || made.Index == index) return made;
            // Made for an earlier call, by work that call left running: it is that work's to keep, not this call's.
            return null;
        }

        /// <summary>The call running now, read whole, or null between calls (for the watchdog, from its own thread).</summary>
        public RunningView? Running
        {
            get
            {
                int index = Volatile.Read(ref _index);
                if (index == NoCall) return null;
                var view = new RunningView(this, index, Volatile.Read(ref _callId), Volatile.Read(ref _started));
                // A row runs once in a chunk: the same row read again means the fields read between were its call's.
                return Volatile.Read(ref _index) == index ? view : null;
            }
        }

        /// <summary>The running call's <see cref="RunningCall"/>, made at the first look (from any thread of the call: one wins).</summary>
        private RunningCall? Control()
        {
            int index = Volatile.Read(ref _index);
            if (index == NoCall) return null;
            RunningCall? made = Volatile.Read(ref _made);
            if (made?.Index == index) return made;
            RunningCall? candidate = new(chunk, this, index, Volatile.Read(ref _callId), Volatile.Read(ref _attempt), Volatile.Read(ref _started));
            try
            {
                // The call ended while its fields were read: the work looking is what it left running, and finds no call.
                if (Volatile.Read(ref _index) != index) return null;
                RunningCall? prior = Interlocked.CompareExchange(ref _made, candidate, made);
                if (prior != made) return prior?.Index == index ? prior : null;
                // The seat's now: the runner disposes it when the call ends.
                (RunningCall installed, candidate) = (candidate, null);
                return installed;
            }
            finally
            {
                candidate?.Dispose();
            }
        }

        /// <summary>The <see cref="RunningCall"/> of the call in row <paramref name="index"/>, if it made one; none is made here.</summary>
        public RunningCall? Made(int index) => Volatile.Read(ref _made) is { } made && made.Index == index ? made : null;

        /// <summary>Tells the call in row <paramref name="index"/>, if it still runs, to stop: through its token, made now or later.</summary>
        public void Cancel(int index)
        {
            // Written only while the call still runs, and never over a later call's cancel: a stale cancel (a marker
            // looked up while this call ran) may race with the watchdog's for the next. A full fence, as in the
            // token's making: one of the two sees the other.
            int seen;
            do
            {
                seen = Volatile.Read(ref _cancelled);
                if (Volatile.Read(ref _index) != index) return;
            }
            while (Interlocked.CompareExchange(ref _cancelled, index, seen) != seen);
            Made(index)?.Cancel();
        }

        public bool WasCancelled(int index) => Volatile.Read(ref _cancelled) == index;
    }

    /// <summary>
    /// A runner's small outputs, one after another in blocks that are never moved or reused: a call's output is a slice
    /// of a block, not an array of its own (most outputs are a few bytes, and a chunk may hold 100,000), and the watchdog
    /// can read the slices of finished calls while the runner appends more.
    /// </summary>
    private sealed class OutputBlocks
    {
        /// <summary>The first block is small (a chunk of one call needs a few bytes); each next one twice the last, up to the largest.</summary>
        private const int FirstBlockBytes = 256, LargestBlockBytes = 64 * 1024;

        /// <summary>An output larger than this gets an array of its own, so that a block is not left mostly empty.</summary>
        private const int LargestInBlock = LargestBlockBytes / 8;

        private byte[] _block = [];
        private int _used;

        /// <summary>Copies <paramref name="output"/> into a block; returns the block and where in it the output starts.</summary>
        public (byte[] Block, int Offset) Keep(ReadOnlySpan<byte> output)
        {
            if (output.Length > LargestInBlock) return (output.ToArray(), 0);
            if (_block.Length - _used < output.Length)
            {
                int size = Math.Max(FirstBlockBytes, Math.Min(LargestBlockBytes, _block.Length * 2));
                _block = GC.AllocateUninitializedArray<byte>(Math.Max(size, output.Length));
                _used = 0;
            }
            int offset = _used;
            output.CopyTo(_block.AsSpan(offset));
            _used += output.Length;
            return (_block, offset);
        }
    }

    /// <summary>
    /// The chunk's results, kept as the response's columns and filled in as calls end (a chunk may hold 100,000 calls:
    /// no object per call, and nothing to copy into the response). A call's outcome is written last, so a call whose
    /// outcome is not <see cref="CallOutcome.NotRun"/> is finished and its row whole: the watchdog copies only those.
    /// Each row is written by the one runner that ran its call.
    /// </summary>
    private sealed class CallColumns
    {
        public CallColumns(int count)
        {
            Outcomes = new byte[count];
            Outcomes.AsSpan().Fill((byte)CallOutcome.NotRun);
            OutputLengths = new int[count];
            Started = new long[count];
            Ended = new long[count];
            OutputBlocks = new byte[count][];
            OutputOffsets = new int[count];
        }

        public byte[] Outcomes { get; }
        public int[] OutputLengths { get; }
        public long[] Started { get; }
        public long[] Ended { get; }

        /// <summary>The block holding a call's inline output (from <see cref="OutputOffsets"/>, for its output length); null if it has none.</summary>
        public byte[]?[] OutputBlocks { get; }
        public int[] OutputOffsets { get; }

        /// <summary>What few calls have (an error, an output in storage, a log): made at the first such call.</summary>
        private CallExtra?[]? _extras;

        public int Count => Outcomes.Length;

        public bool Finished(int index) => Volatile.Read(ref Outcomes[index]) != (byte)CallOutcome.NotRun;

        public CallExtra? Extra(int index) => Volatile.Read(ref _extras)?[index];

        public void SetExtra(int index, CallExtra extra)
        {
            LazyArray.Get(ref _extras, Count)[index] = extra;
        }

        /// <summary>Ends a call's row: its outcome, written last.</summary>
        public void Finish(int index, CallOutcome outcome) => Volatile.Write(ref Outcomes[index], (byte)outcome);

        /// <summary>A copy of the finished calls' rows, the others not run (for an answer while calls still run).</summary>
        public CallColumns FinishedCopy()
        {
            var copy = new CallColumns(Count);
            for (int i = 0; i < Count; i++)
            {
                if (!Finished(i)) continue;
                copy.OutputLengths[i] = OutputLengths[i];
                copy.Started[i] = Started[i];
                copy.Ended[i] = Ended[i];
                copy.OutputBlocks[i] = OutputBlocks[i];
                copy.OutputOffsets[i] = OutputOffsets[i];
                if (Extra(i) is { } extra) copy.SetExtra(i, extra);
                copy.Outcomes[i] = Outcomes[i];
            }
            return copy;
        }
    }

    /// <summary>What few calls have: an error, an output in storage rather than inline, the tail of a log.</summary>
    private sealed record CallExtra(RemoteError? Error, string? OutputKey, string? LogTail);

    /// <summary>
    /// One chunk while it runs: hands its calls out in order to the runners, keeps their results, and answers once,
    /// either at the end or (from the watchdog) when a call outlives its timeout or the invocation its deadline.
    /// </summary>
    private sealed class ChunkRun(ChunkRunner runner, InvocationRequest request, IObjectStorage storage, WrenStorage dataStore, CallInvoker invoker,
        byte[] data, DateTimeOffset? deadline, long taken, int parallelism, CancellationToken cancellationToken)
    {
        private readonly CallColumns _results = new(request.CallIds.Length);
        private readonly RunnerSeat?[] _seats = new RunnerSeat?[parallelism];
        private readonly int[] _offsets = Offsets(request.InputLengths);
        public string JobId { get; } = JobIds.Format(request.ExecutorId, request.JobId);

        /// <summary>What the chunk's calls see as <see cref="CallContext.Storage"/>.</summary>
        public WrenStorage DataStore => dataStore;
        // A call of a speculative job also watches its own marker: a duplicate of it may answer first.
        private readonly CancelWatch _cancelWatch = new(storage, StorageKeys.Cancel(request.Storage.Prefix, request.ExecutorId, request.JobId),
            request.Speculative ? callId => StorageKeys.Call(request.Storage.Prefix, request.ExecutorId, request.JobId, callId, "cancel") : null, runner.Clock);
        private int _next;
        private int _coldCall = -1;
        private long _longestTicks;
        private volatile bool _outOfResources;
        private int _answered;

        public TimeSpan Timeout { get; } = TimeSpan.FromSeconds(request.TimeoutSeconds);

        /// <summary>The chunk's token: the invocation's, cancelled when the worker stops.</summary>
        public CancellationToken Token => cancellationToken;

        /// <summary>A call's time left before its timeout or the invocation's deadline (less the answering margin).</summary>
        public TimeSpan RemainingTime(long started) => runner.RemainingTime(started, Timeout, deadline);

        // Calls' start and end times are the clock at the chunk's start plus the elapsed time since: one timestamp read
        // per point in time instead of a read of the wall clock.
        private readonly long _utcTicksAtTaken = runner.Clock.GetUtcNow().UtcTicks - runner.Clock.GetElapsedTime(taken).Ticks;

        private long UtcTicksAt(long timestamp) => _utcTicksAtTaken + TicksBetween(taken, timestamp);

        // TimeProvider.GetElapsedTime's arithmetic, with the clock's frequency read once for the chunk, not three times a call.
        private readonly double _ticksPerTimestamp = (double)TimeSpan.TicksPerSecond / runner.Clock.TimestampFrequency;

        private long TicksBetween(long from, long to) => (long)((to - from) * _ticksPerTimestamp);

        private TimeProvider Time => runner.Clock;

        private static int[] Offsets(int[] lengths)
        {
            int[] offsets = new int[lengths.Length];
            for (int i = 1; i < lengths.Length; i++) offsets[i] = offsets[i - 1] + lengths[i - 1];
            return offsets;
        }

        /// <summary>True for whoever answers first: the chunk at its end, or the watchdog.</summary>
        public bool TryAnswer() => Interlocked.Exchange(ref _answered, 1) == 0;

        /// <summary>
        /// Runs calls, one at a time, until none is left, or none should start; one output buffer serves them all. A
        /// call's end is the next call's start: one clock read per call (a read of the clock is a noticeable part of a
        /// trivial call), the runner's own bookkeeping between two calls counted in the second.
        /// </summary>
        public async Task RunCallsAsync(int runnerIndex)
        {
            var output = new ArrayBufferWriter<byte>(256);
            var seat = new RunnerSeat(this);
            Volatile.Write(ref _seats[runnerIndex], seat);
            // For this runner's flow only: the change is undone when this method returns.
            CallContext.Follow(seat);
            long now = Time.GetTimestamp();
            while (NextCall(now) is int index)
            {
                output.ResetWrittenCount();
                now = await RunCallAsync(seat, index, now, output).ConfigureAwait(false);
            }
        }

        private int? NextCall(long now)
        {
            if (_outOfResources || _cancelWatch.Cancelled || cancellationToken.IsCancellationRequested) return null;
            // Another call starts only if it fits before the deadline, judged by the longest call of this chunk so
            // far (twice it, for the variance): a call's timeout may be far longer than the calls really take.
            if (deadline is { } end && Volatile.Read(ref _next) > 0 && UtcTicksAt(now) + 2 * Volatile.Read(ref _longestTicks) >= (end - DeadlineMargin).UtcTicks) return null;
            int next = Interlocked.Increment(ref _next) - 1;
            return next < _results.Count ? next : null;
        }

        /// <summary>Runs one call, started at <paramref name="callStart"/>; returns when it ended.</summary>
        private async ValueTask<long> RunCallAsync(RunnerSeat seat, int index, long callStart, ArrayBufferWriter<byte> output)
        {
            int callId = request.CallIds[index];
            ReadOnlyMemory<byte> input = data.AsMemory(_offsets[index], request.InputLengths[index]);
            if (runner.TakeCold()) _coldCall = index;
            int attempt = request.Attempts is { } attempts && index < attempts.Length ? attempts[index] : 1;
            // Each runner has a seat of its own for its running call, which the watchdog reads: no lock, and no object, per call.
            seat.Begin(index, callId, attempt, callStart);
            RemoteError? error = null;
            try
            {
                await invoker.InvokeAsync(input, output).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                error = RemoteError.From(e);
                // A process that ran out of memory is not trusted with more calls: it answers, then makes way for a fresh one.
                if (e is OutOfMemoryException or InsufficientExecutionStackException) _outOfResources = true;
            }
            long callEnd = Time.GetTimestamp();
            long took = TicksBetween(callStart, callEnd);
            _results.Started[index] = UtcTicksAt(callStart);
            _results.Ended[index] = UtcTicksAt(callEnd);
            // Whether the call's output or log went to storage after it ended: then the next call starts later than this one ended.
            bool stored = false;
            string? outputKey = null;
            CallLog.Scope? log = seat.Made(index)?.Log;
            log?.Dispose();
            if (error is null)
            {
                _results.OutputLengths[index] = output.WrittenCount;
                // Small outputs stay in the response; only large ones get objects of their own.
                if (output.WrittenCount <= request.InlineOutputLimit) (_results.OutputBlocks[index], _results.OutputOffsets[index]) = seat.Outputs.Keep(output.WrittenSpan);
                else
                {
                    outputKey = StorageKeys.Call(request.Storage.Prefix, request.ExecutorId, request.JobId, callId, "output");
                    await storage.PutAsync(outputKey, output.WrittenSpan.ToArray(), cancellationToken).ConfigureAwait(false);
                    stored = true;
                }
            }
            string? logTail = log?.Tail();
            if (request.StoreLogs && log?.Text is { Length: > 0 } text)
            {
                await storage.PutAsync(StorageKeys.Call(request.Storage.Prefix, request.ExecutorId, request.JobId, callId, "log"), System.Text.Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
                stored = true;
            }
            if (error is not null || outputKey is not null || logTail is not null) _results.SetExtra(index, new CallExtra(error, outputKey, logTail));
            seat.End()?.Dispose();
            // Without a lock: the row is this runner's alone, and its outcome is written last, so that the watchdog,
            // which looks at the outcome first, never copies half of one.
            _results.Finish(index, error is null ? CallOutcome.Succeeded : CallOutcome.Failed);
            long longest;
            while (took > (longest = Volatile.Read(ref _longestTicks)) && Interlocked.CompareExchange(ref _longestTicks, took, longest) != longest) { }
            return stored ? Time.GetTimestamp() : callEnd;
        }

        /// <summary>
        /// The watchdog's look at the running calls: passes on cancel markers, warns calls near their end through their
        /// token, and, when a call is past its timeout or the invocation at its deadline, returns the answer to give now.
        /// </summary>
        public InvocationResponse? Watch()
        {
            var running = new List<RunningView>(_seats.Length);
            for (int i = 0; i < _seats.Length; i++)
                if (Volatile.Read(ref _seats[i])?.Running is { } call) running.Add(call);
            if (running.Count == 0) return null;
            // A cancelled Map's marker reaches the running calls through their tokens.
            _cancelWatch.Poll(running);
            RunningView? late = null;
            foreach (RunningView call in running)
            {
                // A call that watches its CallContext token gets a warning shortly before it would be stopped.
                if (RemainingTime(call.Started) <= StopWarning(Timeout)) call.Cancel();
                if (Time.GetElapsedTime(call.Started) >= Timeout) late ??= call;
            }
            bool atDeadline = deadline is { } end && Time.GetUtcNow() >= end - DeadlineMargin;
            if (late is null && !atDeadline) return null;
            if (!TryAnswer()) return null;
            return TimedOutResponse(running, late, atDeadline);
        }

        /// <summary>
        /// The answer when the worker gives up: the calls that finished, the one past its timeout (or, at the deadline,
        /// every running call) as timed out, and the rest as not run, to run elsewhere. The worker exits after it.
        /// </summary>
        private InvocationResponse TimedOutResponse(List<RunningView> running, RunningView? late, bool atDeadline)
        {
            CallColumns results = _results.FinishedCopy();
            long now = Time.GetUtcNow().UtcTicks;
            foreach (RunningView call in running)
            {
                if (results.Finished(call.Index) || (!atDeadline && call != late)) continue;
                results.Started[call.Index] = now - Time.GetElapsedTime(call.Started).Ticks;
                results.Ended[call.Index] = now;
                results.SetExtra(call.Index, new CallExtra(
                    atDeadline
                        ? new RemoteError("Wren.Timeout", "the call was still running when the invocation reached its deadline (the Lambda function's timeout); the worker running it was stopped", null, null)
                        : new RemoteError("Wren.Timeout", $"the call ran for more than its timeout of {Timeout.TotalSeconds:0.###} s; the worker running it was stopped", null, null),
                    null, call.Log?.Tail()));
                results.Finish(call.Index, CallOutcome.TimedOut);
            }
            return Response(results, workerExiting: true);
        }

        /// <summary>The answer once the runners are done: every call's result, the ones not started as not run.</summary>
        public InvocationResponse Response() => Response(_results, _outOfResources);

        private InvocationResponse Response(CallColumns results, bool workerExiting)
        {
            var details = new List<CallDetail>();
            int inlineBytes = 0;
            for (int i = 0; i < results.Count; i++)
            {
                if (results.OutputBlocks[i] is not null) inlineBytes += results.OutputLengths[i];
                if (results.Extra(i) is { } extra) details.Add(new CallDetail(i) { Error = extra.Error, OutputKey = extra.OutputKey, LogTail = extra.LogTail });
            }
            byte[] outputs = GC.AllocateUninitializedArray<byte>(inlineBytes);
            int at = 0;
            for (int i = 0; i < results.Count; i++)
            {
                if (results.OutputBlocks[i] is not { } block) continue;
                block.AsSpan(results.OutputOffsets[i], results.OutputLengths[i]).CopyTo(outputs.AsSpan(at));
                at += results.OutputLengths[i];
            }
            return new InvocationResponse
            {
                WorkerId = runner.WorkerId,
                WorkerExiting = workerExiting,
                // A stored response may be read where the request and the inputs are not; one that goes back to its client
                // answers the request's calls in order, whose inputs the client has.
                CallIds = request.StoreResults ? request.CallIds : [],
                Outcomes = results.Outcomes,
                OutputLengths = results.OutputLengths,
                Outputs = outputs,
                InputLengths = request.StoreResults ? request.InputLengths : [],
                Times = InvocationResponse.PackTimes(results.Started, results.Ended),
                BilledMs = (long)Math.Ceiling(Time.GetElapsedTime(taken).TotalMilliseconds),
                ColdCall = _coldCall,
                PeakMemoryBytes = PeakMemory(),
                Details = [.. details],
            };
        }
    }
}
