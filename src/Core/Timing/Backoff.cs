namespace Wren.Timing;

/// <summary>
/// The pause between two polls of something that is not ready yet: it starts at <paramref name="first"/> and grows by
/// <paramref name="factor"/> after each wait up to <paramref name="longest"/>, on a <see cref="TimeProvider"/> so tests
/// poll on a fake clock. The one backoff of Wren's polling loops (retries of failed requests are Polly's).
/// </summary>
internal sealed class Backoff(TimeProvider time, TimeSpan first, TimeSpan longest, double factor = 1.5)
{
    private readonly TimeSpan _first = first;
    private TimeSpan _next = first;

    /// <summary>A pause that never grows.</summary>
    public static Backoff Fixed(TimeProvider time, TimeSpan pause) => new(time, pause, pause, 1);

    /// <summary>The pause the next <see cref="WaitAsync"/> waits.</summary>
    public TimeSpan Next => _next;

    /// <summary>Waits the next pause, then lengthens the one after it.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        TimeSpan pause = _next;
        _next = TimeSpan.FromTicks(Math.Min(longest.Ticks, (long)(pause.Ticks * factor)));
        await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Back to the first pause, after news.</summary>
    public void Reset() => _next = _first;
}
