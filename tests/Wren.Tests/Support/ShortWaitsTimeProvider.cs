namespace Wren.Tests.Support;

/// <summary>
/// The system clock, with every timer cut to at most <paramref name="longest"/>: for code whose waits only spare a
/// real service (a poll that backs off to 15 s), where a test double answers as fast as it is asked.
/// </summary>
internal sealed class ShortWaitsTimeProvider(TimeSpan longest) : TimeProvider
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, Cap(dueTime), Cap(period));

    private TimeSpan Cap(TimeSpan wait) => wait == Timeout.InfiniteTimeSpan || wait <= longest ? wait : longest;
}
