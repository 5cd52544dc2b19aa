using Wren.Backends;

namespace Wren.Jobs;

/// <summary>
/// Adds up what a job is billed for as its invocations end: requests, memory-time and vCPU-time, priced by the backend
/// each ran on (a job's fallback runs on another). Invocations on a backend without prices (local) count, at no cost.
/// </summary>
internal sealed class JobMeter
{
    private readonly Lock _gate = new();
    private readonly SortedSet<string> _backends = new(StringComparer.Ordinal);
    private int _invocations;
    private long _requests;
    private double _gbSeconds;
    private double _vcpuSeconds;
    private decimal _usd;
    private BackendPricing? _pricing;

    /// <summary>One invocation reached the backend.</summary>
    public void Invoked(string backend, BackendPricing? pricing)
    {
        lock (_gate)
        {
            _backends.Add(backend);
            _invocations++;
            if (pricing is null) return;
            _pricing ??= pricing;
            if (pricing.PerRequest > 0) _requests++;
            _usd += pricing.PerRequest;
        }
    }

    /// <summary>An invocation's billed time, as its worker measured it.</summary>
    public void Billed(BackendPricing? pricing, long billedMs)
    {
        if (pricing is null || billedMs <= 0) return;
        double seconds = billedMs / 1000.0;
        double gbSeconds = seconds * pricing.MemoryMb / 1024.0;
        double vcpuSeconds = seconds * pricing.Vcpus;
        lock (_gate)
        {
            _gbSeconds += gbSeconds;
            _vcpuSeconds += vcpuSeconds;
            _usd += (decimal)gbSeconds * pricing.PerGbSecond + (decimal)vcpuSeconds * pricing.PerVcpuSecond;
        }
    }

    public JobCost Snapshot()
    {
        lock (_gate)
        {
            return new JobCost
            {
                Backend = string.Join('+', _backends),
                Invocations = _invocations,
                Requests = _requests,
                BilledGbSeconds = _gbSeconds,
                BilledVcpuSeconds = _vcpuSeconds,
                EstimatedUsd = _usd,
                PricePerRequestUsd = _pricing?.PerRequest ?? 0,
                PricePerGbSecondUsd = _pricing?.PerGbSecond ?? 0,
                PricePerVcpuSecondUsd = _pricing?.PerVcpuSecond ?? 0,
                PriceBasis = _pricing?.Basis ?? (_backends.Count > 0 ? "no charge: local workers" : ""),
            };
        }
    }
}
