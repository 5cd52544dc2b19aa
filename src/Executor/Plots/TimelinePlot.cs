using System.Globalization;
using Wren.Jobs;

namespace Wren.Plots;

/// <summary>
/// Draws a job's timeline as a self-contained SVG: above, one bar per call (waiting in grey, running in the colour of
/// how the call ended, cold starts marked); below, how many calls were running over time.
/// </summary>
internal static class TimelinePlot
{
    private const double Width = 1200;
    private const double Left = 96;
    private const double Right = 28;
    private const double PlotWidth = Width - Left - Right;
    private const double CallsTop = 104;
    private const double RunningHeight = 130;

    /// <summary>Rows up to this many are labelled with their call ids; beyond, the calls axis counts rows.</summary>
    private const int LabelledCalls = 40;

    /// <summary>Beyond this many calls the bars carry no tooltips, to keep the file small.</summary>
    private const int TooltipCalls = 2000;

    private static readonly (CallStatus Status, string Class, string Name)[] Outcomes =
    [
        (CallStatus.Succeeded, "succeeded", "succeeded"),
        (CallStatus.Failed, "failed", "failed"),
        (CallStatus.TimedOut, "timed-out", "timed out"),
        (CallStatus.Lost, "lost", "lost"),
        (CallStatus.Cancelled, "cancelled", "cancelled"),
    ];

    private const string Style = """
        <style>
        text{font-family:'DejaVu Sans',system-ui,'Segoe UI',Helvetica,Arial,sans-serif;font-size:12px;fill:#333}
        .title{font-size:18px;font-weight:bold;fill:#111}
        .subtitle{font-size:13px;fill:#555}
        .axis-label{font-size:13px;fill:#222}
        .tick-label{font-size:11px;fill:#666}
        .grid{stroke:#ebebeb}
        .axis{stroke:#888}
        .succeeded{fill:#0072b2}.failed{fill:#d55e00}.timed-out{fill:#e69f00}.lost{fill:#cc79a7}.cancelled{fill:#888}
        .wait{fill:#d4dae1}
        .never-started{fill-opacity:.55}
        .cold{fill:#111}
        .running{fill:#0072b2;fill-opacity:.2;stroke:#0072b2;stroke-width:1.5}
        </style>

        """;

    /// <summary>The SVG for the calls of one job, headed by <paramref name="title"/> (the job's id, say).</summary>
    public static string Render(IReadOnlyList<CallRecord> calls, string title)
    {
        Timeline timeline = Timeline.From(calls);
        int n = timeline.Bars.Count;
        double callsHeight = Math.Clamp(n * 18.0, 36, 540);
        double runningTop = CallsTop + callsHeight + 40;
        double height = runningTop + RunningHeight + 56;

        var svg = new SvgText();
        svg.Raw($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{SvgText.N(height)}\" viewBox=\"0 0 {Width} {SvgText.N(height)}\">\n")
            .Raw(Style)
            .Title(title)
            .Raw($"<rect width=\"{Width}\" height=\"{SvgText.N(height)}\" fill=\"#fff\"/>\n")
            .Text(Left, 30, title, "title")
            .Text(Left, 52, Summary(timeline), "subtitle");
        if (n == 0)
            return svg.Text(Left, CallsTop + 20, "This job has no calls.", "subtitle").Raw("</svg>\n").ToString();

        Legend(svg, timeline);
        double step = Ticks.Step(Math.Max(timeline.Latest - timeline.Earliest, 1e-3), 10);
        // The axis ends on a tick, so that its right end is labelled.
        double to = Math.Max(Math.Ceiling(timeline.Latest / step - 1e-9) * step, timeline.Earliest + step);
        double X(double seconds) => Left + (seconds - timeline.Earliest) / (to - timeline.Earliest) * PlotWidth;

        TimeAxis(svg, timeline.Earliest, to, step, X, CallsTop, callsHeight, labelled: false);
        CallsAxis(svg, timeline, callsHeight);
        Bars(svg, timeline, to, X, callsHeight);
        TimeAxis(svg, timeline.Earliest, to, step, X, runningTop, RunningHeight, labelled: true);
        Running(svg, timeline, to, runningTop);
        return svg.Raw("</svg>\n").ToString();
    }

    private static string Summary(Timeline timeline)
    {
        int n = timeline.Bars.Count;
        var parts = new List<string> { $"{n:#,0} call{(n == 1 ? "" : "s")}: {timeline.Count(CallStatus.Succeeded):#,0} succeeded, {n - timeline.Count(CallStatus.Succeeded):#,0} failed" };
        if (n == 0) return parts[0];
        parts.Add($"wall time {Seconds(timeline.Latest)}");
        parts.Add($"{timeline.ColdStarts:#,0} cold start{(timeline.ColdStarts == 1 ? "" : "s")}");
        if (timeline.NeverStarted > 0) parts.Add($"{timeline.NeverStarted:#,0} never started (drawn waiting to the end)");
        parts.Add($"submitted {timeline.Origin.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC");
        return string.Join("  ·  ", parts);
    }

    private static void Legend(SvgText svg, Timeline timeline)
    {
        double x = Left;
        const double y = 74;
        foreach ((CallStatus status, string cssClass, string name) in Outcomes)
        {
            if (status != CallStatus.Succeeded && timeline.Count(status) == 0) continue;
            svg.Raw($"<g class=\"legend {cssClass}\">").Rect(x, y - 9, 20, 10).Raw("</g>");
            svg.Text(x + 26, y, name, "legend-label");
            x += 40 + name.Length * 7;
        }
        svg.Raw("<g class=\"legend\">").Rect(x + 12, y - 9, 26, 10, "wait").Raw("</g>");
        svg.Text(x + 44, y, "waiting (submitted, not yet started)", "legend-label");
        x += 44 + 36 * 6.6 + 16;
        svg.Triangle(x + 10, y - 4, 9, "cold legend");
        svg.Rect(x + 10, y - 9, 16, 10, "succeeded");
        svg.Text(x + 32, y, "cold start (a worker's first call)", "legend-label");
    }

    private static void TimeAxis(SvgText svg, double from, double to, double step, Func<double, double> x, double top, double height, bool labelled)
    {
        foreach (double t in Ticks.Between(from, to, step))
        {
            svg.Line(x(t), top, x(t), top + height, "grid");
            svg.Line(x(t), top + height, x(t), top + height + 4, "axis");
            svg.Text(x(t), top + height + 17, Ticks.Label(t, step), "tick-label", "middle");
        }
        svg.Line(Left, top + height, Left + PlotWidth, top + height, "axis");
        svg.Line(Left, top, Left, top + height, "axis");
        if (labelled) svg.Text(Left + PlotWidth / 2, top + height + 40, "seconds since submit", "axis-label x-axis-label", "middle");
    }

    private static void CallsAxis(SvgText svg, Timeline timeline, double height)
    {
        int n = timeline.Bars.Count;
        double row = height / n;
        if (n <= LabelledCalls)
        {
            for (int i = 0; i < n; i++)
                svg.Text(Left - 8, CallsTop + (i + 0.5) * row + 4, $"call {timeline.Bars[i].Call.CallId}", "tick-label", "end");
        }
        else
        {
            double step = Ticks.Step(n, 5, smallest: 1);
            foreach (double i in Ticks.Between(0, n, step))
            {
                svg.Line(Left - 4, CallsTop + i * row, Left, CallsTop + i * row, "axis");
                svg.Text(Left - 8, CallsTop + i * row + 4, Ticks.Label(i, step), "tick-label", "end");
            }
        }
        string label = n <= LabelledCalls ? "calls, by start time" : "calls (rows, by start time)";
        svg.Text(22, CallsTop + height / 2, label, "axis-label y-axis-label", "middle", rotate: true);
    }

    private static void Bars(SvgText svg, Timeline timeline, double to, Func<double, double> x, double height)
    {
        int n = timeline.Bars.Count;
        double row = height / n;
        // Rows thinner than a pixel are drawn a pixel tall, overlapping: blended sub-pixel bars would fade to nothing.
        double bar = row >= 4 ? row * 0.7 : Math.Max(row, 1);
        double wrongBar = row >= 4 ? bar : Math.Max(row, 2);
        double mark = Math.Clamp(bar, row >= 4 ? 7 : 6, 11);
        // Lower rows first, so that where rows overlap a call's run covers the waiting of the calls started after it;
        // calls that went wrong last, on top, so that they show among thousands.
        IEnumerable<int> order = Enumerable.Range(0, n).Reverse().OrderBy(i => timeline.Bars[i].Call.Status != CallStatus.Succeeded);
        svg.Raw("<g class=\"calls\">\n");
        foreach (int i in order)
        {
            TimelineBar b = timeline.Bars[i];
            double h = b.Call.Status == CallStatus.Succeeded ? bar : wrongBar;
            double y = Math.Clamp(CallsTop + (i + 0.5) * row - h / 2, CallsTop, CallsTop + height - h);
            string cssClass = Outcomes.First(o => o.Status == b.Call.Status).Class;
            svg.Raw($"<g class=\"call {cssClass}\" data-call=\"{b.Call.CallId}\">");
            if (n <= TooltipCalls) svg.Title(Tooltip(b));
            double waitEnd = b.Started ?? b.Ended ?? to;
            if (waitEnd > b.Submitted) svg.Rect(x(b.Submitted), y, x(waitEnd) - x(b.Submitted), h, b.Started is null ? "never-started" : "wait");
            if (b.Started is { } started)
            {
                double end = Math.Max(b.Ended ?? to, started);
                svg.Rect(x(started), y, Math.Max(x(end) - x(started), 1), h);
                if (b.Call.ColdStart == true) svg.Triangle(x(started), y + h / 2, mark, "cold");
            }
            svg.Raw("</g>\n");
        }
        svg.Raw("</g>\n");
    }

    private static string Tooltip(TimelineBar b)
    {
        var parts = new List<string> { $"call {b.Call.CallId}", Outcomes.First(o => o.Status == b.Call.Status).Name };
        if (b.Started is { } started)
        {
            parts.Add($"waited {Seconds(started - b.Submitted)}");
            if (b.Ended is { } ended) parts.Add($"ran {Seconds(ended - started)}");
            if (b.Call.ColdStart == true) parts.Add("cold start");
        }
        else parts.Add("never started");
        if (b.Call.WorkerId is { } worker) parts.Add($"worker {worker}");
        if (b.Call.Attempts > 1) parts.Add($"{b.Call.Attempts} attempts");
        if (b.Call.Error is { } error) parts.Add(error.Length > 200 ? error[..200] + "…" : error);
        return string.Join(" · ", parts);
    }

    private static void Running(SvgText svg, Timeline timeline, double to, double top)
    {
        int columns = (int)PlotWidth;
        var runs = timeline.Bars.Where(b => b.Started is not null).Select(b => (b.Started!.Value, b.Ended ?? to));
        int[] peaks = RunningCount.PerColumn(runs, timeline.Earliest, to, columns);
        int most = Math.Max(1, peaks.Max());
        double step = Ticks.Step(most, 4, smallest: 1);
        double ceiling = Math.Ceiling(most / step) * step;
        double Y(double count) => top + RunningHeight - count / ceiling * RunningHeight;

        foreach (double count in Ticks.Between(0, ceiling, step))
        {
            if (count > 0) svg.Line(Left, Y(count), Left + PlotWidth, Y(count), "grid");
            svg.Line(Left - 4, Y(count), Left, Y(count), "axis");
            svg.Text(Left - 8, Y(count) + 4, Ticks.Label(count, step), "tick-label", "end");
        }
        var path = new System.Text.StringBuilder($"M{SvgText.N(Left)} {SvgText.N(Y(0))}");
        int previous = -1;
        for (int c = 0; c < columns; c++)
        {
            if (peaks[c] == previous) continue;
            path.Append($"H{SvgText.N(Left + c)}V{SvgText.N(Y(peaks[c]))}");
            previous = peaks[c];
        }
        path.Append($"H{SvgText.N(Left + columns)}V{SvgText.N(Y(0))}Z");
        svg.Raw($"<path class=\"running\" d=\"{path}\"/>\n");
        svg.Text(22, top + RunningHeight / 2, "calls running", "axis-label y-axis-label", "middle", rotate: true);
    }

    private static string Seconds(double seconds) =>
        seconds.ToString(Math.Abs(seconds) >= 100 ? "#,0" : Math.Abs(seconds) >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + " s";
}
