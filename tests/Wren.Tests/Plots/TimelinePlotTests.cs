using System.Xml.Linq;
using Wren.Jobs;
using Wren.Plots;

namespace Wren.Tests.Plots;

/// <summary>The timeline SVG's structure for small and large jobs: a bar per call, the axes, cold starts, the running panel.</summary>
public sealed class TimelinePlotTests
{
    private static PlotSvg Render(CallRecord[] calls, string title = "Job abcd1234-M0001") => new(RenderText(calls, title));

    private static string RenderText(CallRecord[] calls, string title)
    {
        string svg = TimelinePlot.Render(calls, title);
        // Set WREN_PLOT_SAMPLES to a folder to keep the rendered plots and look at them.
        if (Environment.GetEnvironmentVariable("WREN_PLOT_SAMPLES") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, $"timeline-{calls.Length}.svg"), svg);
        }
        return svg;
    }

    [Fact]
    public void Render_TenCalls_DrawsOneBarGroupPerCall()
    {
        PlotSvg plot = Render(GeneratedCalls.Job(10, workers: 3));
        Assert.Equal(Enumerable.Range(0, 10), plot.CallIds.Order());
    }

    [Fact]
    public void Render_TenCalls_LabelsBothAxesAndEveryRow()
    {
        PlotSvg plot = Render(GeneratedCalls.Job(10, workers: 3));
        Assert.Contains("seconds since submit", plot.Texts);
        Assert.Contains("calls, by start time", plot.Texts);
        Assert.Contains("calls running", plot.Texts);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"call {i}").Order(), plot.Texts.Where(t => t.StartsWith("call ", StringComparison.Ordinal)).Order());
        Assert.Contains("0", plot.Texts);
    }

    [Fact]
    public void Render_TenCalls_HeadsThePlotWithTheJobAndItsTotals()
    {
        CallRecord[] calls = GeneratedCalls.Job(10, workers: 3);
        calls[4] = calls[4] with { Status = CallStatus.Failed, Error = "InvalidOperationException: no" };
        PlotSvg plot = Render(calls, "Job abcd1234-M0007");
        Assert.Equal("Job abcd1234-M0007", plot.Texts[0]);
        string summary = plot.Texts[1];
        Assert.StartsWith("10 calls: 9 succeeded, 1 failed", summary);
        Assert.Contains("3 cold starts", summary);
        Assert.Contains("wall time", summary);
        Assert.Contains("2025-03-01 12:00:00 UTC", summary);
    }

    [Fact]
    public void Render_TenCalls_SplitsEachBarIntoWaitingAndRunning()
    {
        PlotSvg plot = Render(GeneratedCalls.Job(10, workers: 3));
        foreach (XElement call in plot.Calls)
        {
            XElement[] rects = [.. call.Elements().Where(e => e.Name.LocalName == "rect")];
            Assert.Equal(2, rects.Length);
            Assert.Equal(["wait"], PlotSvg.Classes(rects[0]));
            Assert.True((double)rects[0].Attribute("x")! + (double)rects[0].Attribute("width")! <= (double)rects[1].Attribute("x")! + 0.02);
            Assert.Contains(call.Elements(), e => e.Name.LocalName == "title" && e.Value.StartsWith($"call {(int)call.Attribute("data-call")!} · succeeded · waited", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Render_ColdStarts_AreMarkedOnTheirCallsAndInTheLegend()
    {
        CallRecord[] calls = GeneratedCalls.Job(10, workers: 3);
        PlotSvg plot = Render(calls);
        int[] marked = [.. plot.Calls.Where(g => g.Elements().Any(e => PlotSvg.Classes(e).Contains("cold"))).Select(g => (int)g.Attribute("data-call")!).Order()];
        Assert.Equal(calls.Where(c => c.ColdStart == true).Select(c => c.CallId).Order(), marked);
        Assert.Equal(3, marked.Length);
        Assert.Single(plot.WithClass("path", "legend"));
        Assert.Contains("cold start (a worker's first call)", plot.Texts);
    }

    [Fact]
    public void Render_Outcomes_ColourEachCallAndAppearInTheLegend()
    {
        CallRecord[] calls = GeneratedCalls.Job(400, workers: 8);
        PlotSvg plot = Render(calls);
        foreach ((CallStatus status, string cssClass) in new[] { (CallStatus.Failed, "failed"), (CallStatus.TimedOut, "timed-out"), (CallStatus.Lost, "lost") })
        {
            int[] expected = [.. calls.Where(c => c.Status == status).Select(c => c.CallId).Order()];
            Assert.NotEmpty(expected);
            Assert.Equal(expected, plot.Calls.Where(g => PlotSvg.Classes(g).Contains(cssClass)).Select(g => (int)g.Attribute("data-call")!).Order());
            Assert.Single(plot.Elements("g"), g => PlotSvg.Classes(g).SequenceEqual(["legend", cssClass]));
        }
    }

    [Fact]
    public void Render_CallThatNeverStarted_IsDrawnWaitingToTheEndAndNoted()
    {
        CallRecord[] calls = GeneratedCalls.Job(400, workers: 8);
        PlotSvg plot = Render(calls);
        XElement lost = plot.Calls.Single(g => (int)g.Attribute("data-call")! == 330);
        XElement wait = Assert.Single(lost.Elements(), e => e.Name.LocalName == "rect");
        Assert.Equal(["never-started"], PlotSvg.Classes(wait));
        double plotRight = plot.Elements("line").Max(l => (double)l.Attribute("x2")!);
        Assert.Equal(plotRight, (double)wait.Attribute("x")! + (double)wait.Attribute("width")!, 0.05);
        Assert.Contains("1 never started (drawn waiting to the end)", plot.Texts[1]);
    }

    [Fact]
    public void Render_RunningPanel_RisesToTheMostCallsRunningAtOnce()
    {
        PlotSvg plot = Render(GeneratedCalls.Job(10, workers: 3));
        XElement running = Assert.Single(plot.WithClass("path", "running"));
        double[] ys = [.. ((string)running.Attribute("d")!).Split('V').Skip(1).Select(p => double.Parse(p.Split('H', 'Z')[0], System.Globalization.CultureInfo.InvariantCulture))];
        XElement three = plot.Elements("text").Single(t => t.Value == "3" && (string?)t.Attribute("text-anchor") == "end");
        Assert.Equal((double)three.Attribute("y")! - 4, ys.Min(), 0.05);
    }

    [Fact]
    public void Render_TenThousandCalls_DrawsOneBarGroupPerCallWithoutRowLabels()
    {
        CallRecord[] calls = GeneratedCalls.Job(10_000, workers: 64);
        string svg = RenderText(calls, "Job abcd1234-M0002");
        var plot = new PlotSvg(svg);
        Assert.Equal(Enumerable.Range(0, 10_000), plot.CallIds.Order());
        Assert.Contains("seconds since submit", plot.Texts);
        Assert.Contains("calls (rows, by start time)", plot.Texts);
        Assert.Contains("calls running", plot.Texts);
        Assert.Contains("10,000", plot.Texts);
        Assert.DoesNotContain(plot.Texts, t => t.StartsWith("call ", StringComparison.Ordinal));
        Assert.DoesNotContain(plot.Calls.SelectMany(g => g.Elements()), e => e.Name.LocalName == "title");
        Assert.Equal(64, plot.Calls.Count(g => g.Elements().Any(e => PlotSvg.Classes(e).Contains("cold"))));
        Assert.InRange(svg.Length, 100_000, 2_500_000);
        Assert.InRange((double)plot.Root.Attribute("height")!, 400, 1000);
    }

    [Fact]
    public void Render_WorkerClockBehindTheSubmitter_KeepsEveryBarInsideThePlot()
    {
        CallRecord[] calls = GeneratedCalls.Job(3, workers: 1);
        calls[0] = calls[0] with { StartedAt = GeneratedCalls.Submitted.AddSeconds(-0.2), EndedAt = GeneratedCalls.Submitted.AddSeconds(0.1) };
        PlotSvg plot = Render(calls);
        double left = plot.WithClass("line", "grid").Min(l => (double)l.Attribute("x1")!);
        Assert.All(plot.Calls.SelectMany(g => g.Elements()).Where(e => e.Name.LocalName == "rect"), r => Assert.True((double)r.Attribute("x")! >= left - 0.01));
        Assert.Contains("-0.2", plot.Texts);
    }

    [Fact]
    public void Render_NoCalls_SaysSo()
    {
        PlotSvg plot = Render([]);
        Assert.Empty(plot.Calls);
        Assert.Contains("This job has no calls.", plot.Texts);
        Assert.StartsWith("0 calls", plot.Texts[1]);
    }

    [Fact]
    public void Render_TitleWithMarkup_IsEscaped()
    {
        PlotSvg plot = Render(GeneratedCalls.Job(2, workers: 1), "Job x · Program.<Main>b__0_0 & \"more\"");
        Assert.Equal("Job x · Program.<Main>b__0_0 & \"more\"", plot.Texts[0]);
    }
}
