using Polly;
using Polly.Retry;

namespace Wren.Aws;

/// <summary>
/// When to send a failed AWS request again: a dropped connection, throttling and server errors, up to a number of
/// attempts, after a delay that grows exponentially with jitter, or after the server's Retry-After when it gives one.
/// Built as a Polly retry pipeline on the client's clock.
/// </summary>
internal sealed record RetryPolicy(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    public static RetryPolicy Default { get; } = new(6, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(20));

    /// <summary>For invocations: throttling is normal under load and is waited out for minutes.</summary>
    public static RetryPolicy Patient { get; } = new(40, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));

    /// <summary>
    /// The pipeline that runs a request with these retries. <paramref name="retrying"/> hears of each retry: the
    /// operation (the context's operation key, as each execution gives it), the failure in words, the attempt that
    /// failed (from 1) and the wait before the next.
    /// </summary>
    public ResiliencePipeline Pipeline(TimeProvider time, Action<string, string, int, TimeSpan>? retrying) => new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<AwsServiceException>(e => e.IsRetryable),
            MaxRetryAttempts = MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = BaseDelay,
            MaxDelay = MaxDelay,
            // The service's own Retry-After wins, up to the longest wait; otherwise the jittered backoff.
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is AwsServiceException { RetryAfter: { } after } && after > TimeSpan.Zero
                ? (TimeSpan?)(after < MaxDelay ? after : MaxDelay)
                : null),
            OnRetry = args =>
            {
                retrying?.Invoke(args.Context.OperationKey ?? "", Describe(args.Outcome.Exception), args.AttemptNumber + 1, args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    private static string Describe(Exception? failure) => failure switch
    {
        AwsServiceException e => $"{(int)e.StatusCode} {e.ErrorCode}",
        HttpRequestException e => $"a dropped connection ({e.Message})",
        _ => failure?.Message ?? "",
    };
}
