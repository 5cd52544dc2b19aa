using Wren.Plots;

namespace Wren.Tests.Plots;

/// <summary>The running-calls count behind the plot's lower panel.</summary>
public sealed class RunningCountTests
{
    [Fact]
    public void PerColumn_OverlappingCalls_CountsBoth()
    {
        int[] counts = RunningCount.PerColumn([(0, 6), (2, 8)], 0, 10, 10);
        Assert.Equal([1, 1, 2, 2, 2, 2, 2, 1, 1, 0], counts);
    }

    [Fact]
    public void PerColumn_CallsBackToBackOnOneWorker_CountsOne()
    {
        int[] counts = RunningCount.PerColumn([(0, 2.5), (2.5, 5), (5, 7.5)], 0, 10, 10);
        Assert.Equal([1, 1, 1, 1, 1, 1, 1, 1, 0, 0], counts);
    }

    [Fact]
    public void PerColumn_CallShorterThanAColumn_StillShows()
    {
        int[] counts = RunningCount.PerColumn([(3.2, 3.25)], 0, 10, 10);
        Assert.Equal([0, 0, 0, 1, 0, 0, 0, 0, 0, 0], counts);
    }

    [Fact]
    public void Ticks_StepAndLabels_AreRound()
    {
        Assert.Equal(0.5, Ticks.Step(4.3, 10));
        Assert.Equal(2000, Ticks.Step(10_000, 5));
        Assert.Equal(1, Ticks.Step(10.2, 10));
        Assert.Equal(["0", "0.5", "1", "1.5"], Ticks.Between(0, 1.6, 0.5).Select(t => Ticks.Label(t, 0.5)));
        Assert.Equal("10,000", Ticks.Label(10_000, 2000));
    }
}
