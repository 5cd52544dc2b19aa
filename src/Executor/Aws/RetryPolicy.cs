namespace Wren.Aws;

/// <summary>
/// When to send a failed AWS request again: throttling and server errors, up to a number of attempts, after a delay
/// that grows exponentially with full jitter, or after the server's Retry-After when it gives one.
/// </summary>
internal sealed record RetryPolicy(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    public static RetryPolicy Default { get; } = new(6, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(20));

    /// <summary>For invocations: throttling is normal under load and is waited out for minutes.</summary>
    public static RetryPolicy Patient { get; } = new(40, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));

    public TimeSpan Delay(int attempt, TimeSpan? retryAfter, Random random)
    {
        if (retryAfter is { } after && after > TimeSpan.Zero) return after < MaxDelay ? after : MaxDelay;
        double ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(random.NextDouble() * ceiling);
    }
}
