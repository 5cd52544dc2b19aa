using Microsoft.Extensions.Time.Testing;
using Wren.Timing;

namespace Wren.Tests.Timing;

/// <summary>The polling loops' one backoff, on a fake clock: each wait lasts the pause it announced, and pauses grow to the longest.</summary>
public sealed class BackoffTests
{
    [Fact]
    public async Task WaitAsync_GrowsByTheFactorUpToTheLongest()
    {
        var time = new FakeTimeProvider();
        var backoff = new Backoff(time, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), 1.5);
        var waited = new List<TimeSpan>();

        for (int i = 0; i < 4; i++)
        {
            TimeSpan announced = backoff.Next;
            Task wait = backoff.WaitAsync(CancellationToken.None);
            time.Advance(announced - TimeSpan.FromTicks(1));
            Assert.False(wait.IsCompleted);
            time.Advance(TimeSpan.FromTicks(1));
            await wait;
            waited.Add(announced);
        }

        Assert.Equal([200, 300, 450, 500], waited.Select(t => t.TotalMilliseconds));
    }

    [Fact]
    public void Reset_StartsAgainFromTheFirstPause()
    {
        var time = new FakeTimeProvider();
        var backoff = new Backoff(time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 2);
        _ = backoff.WaitAsync(CancellationToken.None);
        _ = backoff.WaitAsync(CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(4), backoff.Next);

        backoff.Reset();

        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next);
    }

    [Fact]
    public void Fixed_NeverGrows()
    {
        var backoff = Backoff.Fixed(new FakeTimeProvider(), TimeSpan.FromSeconds(3));
        _ = backoff.WaitAsync(CancellationToken.None);
        _ = backoff.WaitAsync(CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(3), backoff.Next);
    }

    [Fact]
    public async Task WaitAsync_Cancelled_StopsWaiting()
    {
        var backoff = new Backoff(new FakeTimeProvider(), TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        using var cancel = new CancellationTokenSource();
        Task wait = backoff.WaitAsync(cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }
}
