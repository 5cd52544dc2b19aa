using Wren.Jobs;

namespace Wren.Plots;

/// <summary>One call on the timeline, in seconds since the job's first submission; a call that never started has no <see cref="Started"/>.</summary>
internal readonly record struct TimelineBar(CallRecord Call, double Submitted, double? Started, double? Ended);

/// <summary>
/// A job's calls on one time line, in seconds since the first submission, sorted by when they started (calls that never
/// started last), with the totals the plot's heading shows.
/// </summary>
internal sealed class Timeline
{
    private Timeline(IReadOnlyList<TimelineBar> bars, DateTimeOffset origin, double earliest, double latest)
    {
        Bars = bars;
        Origin = origin;
        Earliest = earliest;
        Latest = latest;
    }

    public IReadOnlyList<TimelineBar> Bars { get; }

    /// <summary>The first submission: second zero.</summary>
    public DateTimeOffset Origin { get; }

    /// <summary>The earliest time on the line: zero, or less when a worker's clock is behind the submitting machine's.</summary>
    public double Earliest { get; }

    /// <summary>The latest time on the line: the last call's end.</summary>
    public double Latest { get; }

    public int Count(CallStatus status) => Bars.Count(b => b.Call.Status == status);

    public int ColdStarts => Bars.Count(b => b.Call.ColdStart == true && b.Started is not null);

    public int NeverStarted => Bars.Count(b => b.Started is null);

    public static Timeline From(IReadOnlyList<CallRecord> calls)
    {
        if (calls.Count == 0) return new Timeline([], default, 0, 0);
        DateTimeOffset origin = calls.Min(c => c.SubmittedAt);
        double Seconds(DateTimeOffset at) => (at - origin).TotalSeconds;
        TimelineBar[] bars =
        [
            .. calls
                .Select(c => new TimelineBar(c, Seconds(c.SubmittedAt), c.StartedAt is { } s ? Seconds(s) : null, c.EndedAt is { } e ? Seconds(e) : null))
                .OrderBy(b => b.Started ?? double.PositiveInfinity)
                .ThenBy(b => b.Call.CallId),
        ];
        double from = Math.Min(0, bars.Min(b => b.Started ?? 0));
        double to = bars.Max(b => Math.Max(b.Submitted, Math.Max(b.Started ?? 0, b.Ended ?? 0)));
        return new Timeline(bars, origin, from, to);
    }
}
