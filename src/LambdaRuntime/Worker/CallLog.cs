using System.Text;

namespace Wren.Worker;

/// <summary>
/// The worker's console while calls run: every line a call writes (from any thread or task it started) goes out
/// prefixed with its job and call, <c>3f9a1c2b-M0001#00042 INFO message</c> (ERROR for standard error), and is kept
/// for the call's log. Lines written outside a call go out as they are.
/// </summary>
internal sealed class CallLog
{
    private const int MaxKeptChars = 1024 * 1024;

    /// <summary>The log of the call running on this async flow: it travels in the call's <see cref="CallContext"/>.</summary>
    private static Scope? Current => CallContext.Current?.Log as Scope;

    private readonly TextWriter _output;

    private CallLog(TextWriter output) => _output = output;

    /// <summary>Routes Console.Out and Console.Error through call logs, writing to the process's real output.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The console's writers live as long as the process.")]
    public static CallLog Install()
    {
        var log = new CallLog(Console.Out);
        Console.SetOut(new LineWriter(log, "INFO"));
        Console.SetError(new LineWriter(log, "ERROR"));
        return log;
    }

    /// <summary>The log of one call: its lines go to it while the call's <see cref="CallContext"/> holds it; dispose it when the call ends.</summary>
    public static Scope Begin(string job, int callId) => new(job, callId);

    private void Emit(string level, string line)
    {
        Scope? scope = Current;
        // Writing to the console's stream takes Console.Out's lock (on Unix), and Console.Out is the INFO writer, whose
        // lock a call writing a line already holds. Taking it before the real output's keeps one order for every
        // writer: without it, a line to standard error in one call and one to standard output in another deadlock.
        lock (Console.Out)
        {
            _output.WriteLine(scope is null || scope.Ended ? line : $"{scope.Tag} {level} {line}");
            _output.Flush();
        }
        if (scope is { Ended: false }) scope.Keep(level, line);
    }

    /// <summary>One call's lines. Nothing is allocated for them until the call writes one.</summary>
    internal sealed class Scope(string job, int callId) : IDisposable
    {
        // Made when the call first writes a line: most calls write none.
        private Lock? _gate;
        private StringBuilder? _text;
        private StringBuilder? _partialInfo;
        private StringBuilder? _partialError;

        /// <summary>The line the call is writing at this level and has not ended yet.</summary>
        public StringBuilder PartialLine(string level) => level == "INFO" ? _partialInfo ??= new() : _partialError ??= new();

        public string Tag => field ??= $"{job}#{callId:D5}";

        public bool Ended { get; private set; }

        public bool Truncated { get; private set; }

        private Lock Gate => Volatile.Read(ref _gate) ?? Interlocked.CompareExchange(ref _gate, new Lock(), null) ?? _gate!;

        public void Keep(string level, string line)
        {
            lock (Gate)
            {
                _text ??= new StringBuilder();
                if (_text.Length > MaxKeptChars)
                {
                    Truncated = true;
                    return;
                }
                if (level != "INFO") _text.Append(level).Append(' ');
                _text.Append(line).Append('\n');
            }
        }

        public string Text
        {
            get
            {
                if (Volatile.Read(ref _gate) is not { } gate) return "";
                lock (gate) return _text is null ? "" : Truncated ? _text + "[log truncated at 1 MB]\n" : _text.ToString();
            }
        }

        /// <summary>The last few lines, for the call's result (a failed future's message shows them).</summary>
        public string? Tail(int maxChars = 2048)
        {
            string text = Text;
            if (text.Length == 0) return null;
            if (text.Length <= maxChars) return text;
            int cut = text.IndexOf('\n', text.Length - maxChars);
            return cut < 0 ? text[^maxChars..] : text[(cut + 1)..];
        }

        public void Dispose() => Ended = true;
    }

    /// <summary>
    /// Collects characters into lines and hands each whole line to the log. Each call has its own partial line (calls
    /// run side by side), so a line written in pieces is never mixed with another call's. Console serializes the writes.
    /// </summary>
    private sealed class LineWriter(CallLog log, string level) : TextWriter
    {
        private readonly StringBuilder _unscoped = new();

        private StringBuilder Line => Current is { Ended: false } scope ? scope.PartialLine(level) : _unscoped;

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                Flush();
                return;
            }
            if (value != '\r') Line.Append(value);
        }

        public override void Write(string? value)
        {
            if (value is null) return;
            foreach (char c in value) Write(c);
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            Flush();
        }

        public override void Flush()
        {
            StringBuilder partial = Line;
            if (partial.Length == 0) return;
            string line = partial.ToString();
            partial.Clear();
            log.Emit(level, line);
        }
    }
}
