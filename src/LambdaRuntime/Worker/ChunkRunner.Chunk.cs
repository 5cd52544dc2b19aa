using System.Buffers;
using Wren.Jobs;
using Wren.Protocol;
using Wren.Storage;

namespace Wren.Worker;

/// <summary>One chunk while it runs, its calls, the runners' seats and the calls' results.</summary>
internal sealed partial class ChunkRunner
{
    /// <summary>
    /// One call while it runs: where it started, and what is made only if the call asks for it (most never do): its
    /// token, and its <see cref="CallContext"/> with its log, made when the call (or a line it writes) first looks for
    /// them. A trivial call then costs one small object.
    /// </summary>
    private sealed class RunningCall(ChunkRunner runner, int index, int callId, int attempt, long started, TimeSpan timeout, DateTimeOffset? deadline,
        ChunkRun chunk, CancellationToken chunkToken) : CallContext.ICallControl, IDisposable
    {
        private CancellationTokenSource? _source;
        private CallContext? _context;
        private volatile bool _cancelled;

        public int Index { get; } = index;
        public int CallId { get; } = callId;
        public long Started { get; } = started;

        /// <summary>The call's log, if it has a context (a call that never looked for one wrote no line).</summary>
        public CallLog.Scope? Log => Volatile.Read(ref _context)?.Log as CallLog.Scope;

        /// <summary>The call's context, made at the first look (from any thread of the call: one wins).</summary>
        [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The log ends with the call: RunCallAsync disposes it through Log.")]
        public CallContext Context
        {
            get
            {
                if (Volatile.Read(ref _context) is { } existing) return existing;
                var made = new CallContext(chunk.DataStore, this, CallId, attempt, chunk.JobId, CallLog.Begin(chunk.JobId, CallId));
                return Interlocked.CompareExchange(ref _context, made, null) ?? made;
            }
        }

        public CancellationToken Token
        {
            get
            {
                if (Volatile.Read(ref _source) is { } existing) return existing.Token;
                var made = CancellationTokenSource.CreateLinkedTokenSource(chunkToken);
                CancellationTokenSource source = Interlocked.CompareExchange(ref _source, made, null) ?? made;
                if (source != made) made.Dispose();
                // A cancel that came before the token was made still reaches it.
                if (_cancelled) CancelQuietly(source);
                return source.Token;
            }
        }

        public TimeSpan RemainingTime => runner.RemainingTime(Started, timeout, deadline);

        public void Cancel()
        {
            _cancelled = true;
            CancelQuietly(Volatile.Read(ref _source));
        }

        public void Dispose() => Volatile.Read(ref _source)?.Dispose();
    }

    /// <summary>
    /// Where the calls of one runner find their context: set as the runner's <see cref="CallContext"/> source once per
    /// chunk, it answers with the context of the call the runner is running, so that a call costs no
    /// <see cref="AsyncLocal{T}"/> write (a new execution context each). Work a call leaves running after it returns
    /// sees the runner's next call, or none.
    /// </summary>
    private sealed class RunnerSeat : CallContext.ICallSource
    {
        private RunningCall? _call;

        public RunningCall? Call
        {
            get => Volatile.Read(ref _call);
            set => Volatile.Write(ref _call, value);
        }

        public CallContext? Context => Call?.Context;

        /// <summary>The outputs of the runner's calls in this chunk.</summary>
        public OutputBlocks Outputs { get; } = new();
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

    /// <summary>One call's result while its chunk runs (a struct in one array: a chunk may hold 100,000 calls).</summary>
    private struct CallSlot
    {
        public bool Done;
        public CallOutcome Outcome;
        /// <summary>The array holding the call's output (inline in the response), from <see cref="OutputOffset"/> for <see cref="OutputLength"/> bytes.</summary>
        public byte[]? Output;
        public int OutputOffset;
        public string? OutputKey;
        public int OutputLength;
        public RemoteError? Error;
        public string? LogTail;
        public long Started;
        public long Ended;
    }

    /// <summary>
    /// One chunk while it runs: hands its calls out in order to the runners, keeps their results, and answers once,
    /// either at the end or (from the watchdog) when a call outlives its timeout or the invocation its deadline.
    /// </summary>
    private sealed class ChunkRun(ChunkRunner runner, InvocationRequest request, IObjectStorage storage, WrenStorage dataStore, CallInvoker invoker,
        byte[] data, DateTimeOffset? deadline, long taken, int parallelism, CancellationToken cancellationToken)
    {
        private readonly CallSlot[] _slots = new CallSlot[request.CallIds.Length];
        private readonly RunnerSeat[] _seats = [.. Enumerable.Range(0, parallelism).Select(_ => new RunnerSeat())];
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
            RunnerSeat seat = _seats[runnerIndex];
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
            return next < _slots.Length ? next : null;
        }

        /// <summary>Runs one call, started at <paramref name="callStart"/>; returns when it ended.</summary>
        private async ValueTask<long> RunCallAsync(RunnerSeat seat, int index, long callStart, ArrayBufferWriter<byte> output)
        {
            int callId = request.CallIds[index];
            ReadOnlyMemory<byte> input = data.AsMemory(_offsets[index], request.InputLengths[index]);
            if (runner.TakeCold()) _coldCall = index;
            int attempt = request.Attempts is { } attempts && index < attempts.Length ? attempts[index] : 1;
            using var running = new RunningCall(runner, index, callId, attempt, callStart, Timeout, deadline, this, cancellationToken);
            // Each runner has a seat of its own for its running call, which the watchdog reads: no lock per call.
            seat.Call = running;
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
            var slot = new CallSlot { Done = true, Started = UtcTicksAt(callStart), Ended = UtcTicksAt(callEnd), Error = error };
            // Whether the call's output or log went to storage after it ended: then the next call starts later than this one ended.
            bool stored = false;
            CallLog.Scope? log = running.Log;
            log?.Dispose();
            if (error is not null) slot.Outcome = CallOutcome.Failed;
            else
            {
                slot.Outcome = CallOutcome.Succeeded;
                slot.OutputLength = output.WrittenCount;
                // Small outputs stay in the response; only large ones get objects of their own.
                if (output.WrittenCount <= request.InlineOutputLimit) (slot.Output, slot.OutputOffset) = seat.Outputs.Keep(output.WrittenSpan);
                else
                {
                    slot.OutputKey = StorageKeys.Call(request.Storage.Prefix, request.ExecutorId, request.JobId, callId, "output");
                    await storage.PutAsync(slot.OutputKey, output.WrittenSpan.ToArray(), cancellationToken).ConfigureAwait(false);
                    stored = true;
                }
            }
            slot.LogTail = log?.Tail();
            if (request.StoreLogs && log?.Text is { Length: > 0 } text)
            {
                await storage.PutAsync(StorageKeys.Call(request.Storage.Prefix, request.ExecutorId, request.JobId, callId, "log"), System.Text.Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
                stored = true;
            }
            seat.Call = null;
            // Stored without a lock: the slot is this runner's alone, and it is marked done last, so that the watchdog,
            // which looks at Done first, never copies half of one.
            slot.Done = false;
            _slots[index] = slot;
            Volatile.Write(ref _slots[index].Done, true);
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
            RunningCall[] running = [.. _seats.Select(seat => seat.Call).OfType<RunningCall>()];
            if (running.Length == 0) return null;
            // A cancelled Map's marker reaches the running calls through their tokens.
            _cancelWatch.Poll(running);
            RunningCall? late = null;
            foreach (RunningCall call in running)
            {
                // A call that watches its CallContext token gets a warning shortly before it would be stopped.
                if (runner.RemainingTime(call.Started, Timeout, deadline) <= StopWarning(Timeout)) call.Cancel();
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
        private InvocationResponse TimedOutResponse(RunningCall[] running, RunningCall? late, bool atDeadline)
        {
            var slots = new CallSlot[_slots.Length];
            for (int i = 0; i < slots.Length; i++)
                if (Volatile.Read(ref _slots[i].Done)) slots[i] = _slots[i];
            long now = Time.GetUtcNow().UtcTicks;
            foreach (RunningCall call in running)
            {
                if (slots[call.Index].Done || (!atDeadline && call != late)) continue;
                slots[call.Index] = new CallSlot
                {
                    Done = true,
                    Outcome = CallOutcome.TimedOut,
                    Error = atDeadline
                        ? new RemoteError("Wren.Timeout", "the call was still running when the invocation reached its deadline (the Lambda function's timeout); the worker running it was stopped", null, null)
                        : new RemoteError("Wren.Timeout", $"the call ran for more than its timeout of {Timeout.TotalSeconds:0.###} s; the worker running it was stopped", null, null),
                    Started = now - Time.GetElapsedTime(call.Started).Ticks,
                    Ended = now,
                    LogTail = call.Log?.Tail(),
                };
            }
            return Response(slots, workerExiting: true);
        }

        /// <summary>The answer once the runners are done: every call's result, the ones not started as not run.</summary>
        public InvocationResponse Response() => Response(_slots, _outOfResources);

        private InvocationResponse Response(CallSlot[] slots, bool workerExiting)
        {
            int count = slots.Length;
            var outcomes = new byte[count];
            var outputLengths = new int[count];
            var started = new long[count];
            var ended = new long[count];
            var details = new List<CallDetail>();
            int inlineBytes = 0;
            for (int i = 0; i < count; i++)
            {
                ref CallSlot slot = ref slots[i];
                outcomes[i] = (byte)(slot.Done ? slot.Outcome : CallOutcome.NotRun);
                outputLengths[i] = slot.OutputLength;
                started[i] = slot.Started;
                ended[i] = slot.Ended;
                if (slot.Output is not null) inlineBytes += slot.OutputLength;
                if (slot.Error is not null || slot.OutputKey is not null || slot.LogTail is not null)
                    details.Add(new CallDetail(i) { Error = slot.Error, OutputKey = slot.OutputKey, LogTail = slot.LogTail });
            }
            byte[] outputs = GC.AllocateUninitializedArray<byte>(inlineBytes);
            int at = 0;
            foreach (ref CallSlot slot in slots.AsSpan())
            {
                if (slot.Output is not { } inline) continue;
                inline.AsSpan(slot.OutputOffset, slot.OutputLength).CopyTo(outputs.AsSpan(at));
                at += slot.OutputLength;
            }
            return new InvocationResponse
            {
                WorkerId = runner.WorkerId,
                WorkerExiting = workerExiting,
                CallIds = request.CallIds,
                Outcomes = outcomes,
                OutputLengths = outputLengths,
                Outputs = outputs,
                InputLengths = request.InputLengths,
                Started = started,
                Ended = ended,
                BilledMs = Billed(started, ended),
                ColdCall = _coldCall,
                PeakMemoryBytes = PeakMemory(),
                Details = [.. details],
            };
        }

        /// <summary>
        /// Splits the invocation's billed time so far (rounded up to the millisecond) among the calls that ran, in
        /// proportion to their run times; the shares add up to the whole.
        /// </summary>
        private long[] Billed(long[] started, long[] ended)
        {
            long billed = (long)Math.Ceiling(Time.GetElapsedTime(taken).TotalMilliseconds);
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
    }
}
