using Wren.Jobs;

namespace Wren.Tests.Jobs;

public sealed class CallTrackerTests
{
    [Fact]
    public void Resolve_IsTrueOnceAndCompletesWhenAllAre()
    {
        int completed = 0;
        var tracker = new CallTracker(2, speculative: false, () => completed++);
        Assert.True(tracker.Resolve(1));
        Assert.False(tracker.Resolve(1));
        Assert.Equal(0, completed);
        Assert.True(tracker.Resolve(0));
        Assert.Equal(1, completed);
        Assert.True(tracker.IsResolved(0));
    }

    [Fact]
    public void Stragglers_AreNamedOnlyPastTheShareAndTheThreshold_AndOnlyOnce()
    {
        var tracker = new CallTracker(4, speculative: true, () => { });
        for (int id = 0; id < 4; id++) tracker.Started(id, tracker.Now());
        Thread.Sleep(30);
        // Two of four resolved: under three quarters, nobody is a straggler yet.
        tracker.Resolve(0);
        tracker.Resolve(1);
        tracker.Finished(TimeSpan.FromMilliseconds(1));
        tracker.Finished(TimeSpan.FromMilliseconds(3));
        Assert.Empty(tracker.Stragglers(0.75, 3, TimeSpan.Zero));
        tracker.Stopped(2);
        tracker.Resolve(2);
        tracker.Finished(TimeSpan.FromMilliseconds(2));
        // Three quarters done, median 2 ms: call 3, running for 30 ms, is a straggler; call 2 has stopped.
        Assert.Equal([3], tracker.Stragglers(0.75, 3, TimeSpan.Zero));
        Assert.True(tracker.WasDuplicated(3));
        Assert.Empty(tracker.Stragglers(0.75, 3, TimeSpan.Zero));
        Assert.Equal(1, tracker.Duplicates);
        // A floor longer than it has run keeps a call from being duplicated.
        var patient = new CallTracker(1, speculative: true, () => { });
        patient.Started(0, patient.Now());
        patient.Finished(TimeSpan.FromMilliseconds(1));
        Assert.Empty(patient.Stragglers(0, 3, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void NotSpeculative_KeepsNoStartTimes_AndNamesNoStragglers()
    {
        var tracker = new CallTracker(2, speculative: false, () => { });
        tracker.Started(0, tracker.Now() - TimeSpan.TicksPerHour);
        tracker.Resolve(1);
        tracker.Finished(TimeSpan.FromMilliseconds(1));
        Assert.Empty(tracker.Stragglers(0, 1, TimeSpan.Zero));
        Assert.False(tracker.WasDuplicated(0));
        tracker.Stopped(0);
        Assert.Equal(0, tracker.Duplicates);
    }
}
