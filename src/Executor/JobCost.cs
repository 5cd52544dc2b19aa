namespace Wren;

/// <summary>
/// What a Map has cost so far, and an estimate in US dollars from AWS's published list prices. Only an estimate: AWS
/// bills by its own measurements, with free tiers, savings plans and regional prices that Wren does not see. Zero on the
/// local backend.
/// </summary>
public sealed record JobCost
{
    /// <summary>Where the calls ran: <c>local</c>, <c>lambda</c>, <c>batch</c> (or several, joined by <c>+</c>).</summary>
    public string Backend { get; init; } = "";

    /// <summary>Invocations made: one per chunk run, retries and duplicates included.</summary>
    public int Invocations { get; init; }

    /// <summary>Requests AWS bills per request (Lambda invocations); zero where there is no such charge.</summary>
    public long Requests { get; init; }

    /// <summary>Billed memory-time: each invocation's billed duration times its memory in GB.</summary>
    public double BilledGbSeconds { get; init; }

    /// <summary>Billed vCPU-time (AWS Batch on Fargate); zero on Lambda, which prices memory-time only.</summary>
    public double BilledVcpuSeconds { get; init; }

    /// <summary>The estimate: requests, memory-time and vCPU-time at the prices below.</summary>
    public decimal EstimatedUsd { get; init; }

    /// <summary>The price per request used (Lambda: USD 0.20 per million).</summary>
    public decimal PricePerRequestUsd { get; init; }

    /// <summary>The price per GB-second used (Lambda's for the function's architecture, or Fargate's).</summary>
    public decimal PricePerGbSecondUsd { get; init; }

    /// <summary>The price per vCPU-second used (Fargate); zero on Lambda.</summary>
    public decimal PricePerVcpuSecondUsd { get; init; }

    /// <summary>Which prices the estimate uses, such as <c>AWS Lambda list prices (us-east-1), arm64</c>.</summary>
    public string PriceBasis { get; init; } = "";

    /// <summary>Always true: the figure is Wren's estimate, not AWS's bill.</summary>
    public bool IsEstimate => true;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Invocations:#,0} invocations, {BilledGbSeconds:#,0.###} GB-s" + (BilledVcpuSeconds > 0 ? $", {BilledVcpuSeconds:#,0.###} vCPU-s" : "")
        + $": about ${EstimatedUsd:0.######} (estimate{(PriceBasis.Length > 0 ? $" from {PriceBasis}" : "")})";
}
