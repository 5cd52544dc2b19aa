using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;
using Perfolizer.Mathematics.OutlierDetection;

namespace Wren.Benchmarks.Local;

/// <summary>
/// The round-trip suite's job: every measured iteration is exactly one call (no batching of invocations and no
/// averaging inside an iteration), so the percentile columns are percentiles of single calls. No outlier is removed:
/// the slow calls are part of what a caller sees.
/// </summary>
public sealed class LocalCallConfig : ManualConfig
{
    public const int Iterations = 200;

    public LocalCallConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(20)
            .WithIterationCount(Iterations)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithOutlierMode(OutlierMode.DontRemove)
            // Calls back to back, as a caller's loop makes them, with the GCs that come on their own: a forced full
            // collection between two single calls would leave every thread idle before each call and measure the
            // wake-ups after it rather than the call.
            .WithGcForce(false)
            .WithId("OneCallPerIteration"));
        AddColumn(StatisticColumn.Min, StatisticColumn.P50, StatisticColumn.P90, StatisticColumn.P95, new PercentileColumn(99), StatisticColumn.Max);
        // BenchmarkDotNet adds Median to skewed results on its own; it is the P50 column.
        HideColumns(Column.Median);
    }
}

/// <summary>
/// The Map suite's job: every measured iteration is one whole Map of <see cref="CallsAttribute.Calls"/> calls; a few
/// iterations, since each takes a good fraction of a second.
/// </summary>
public sealed class LocalMapConfig : ManualConfig
{
    public LocalMapConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(10)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithOutlierMode(OutlierMode.DontRemove)
            .WithId("OneMapPerIteration"));
        AddColumn(StatisticColumn.Min, StatisticColumn.P50, StatisticColumn.Max, new CallsPerSecondColumn(median: false), new CallsPerSecondColumn(median: true));
        HideColumns(Column.Median);
        // Milliseconds for every row, the in-process baseline included.
        WithSummaryStyle(SummaryStyle.Default.WithTimeUnit(TimeUnit.Millisecond));
    }
}

/// <summary>Marks a benchmark that makes a fixed number of calls, so that <see cref="CallsPerSecondColumn"/> can report calls/s.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CallsAttribute(int calls) : Attribute
{
    public int Calls { get; } = calls;
}

/// <summary>Calls (from <see cref="CallsAttribute"/>) divided by the mean, or the median, time of an iteration.</summary>
public sealed class CallsPerSecondColumn(bool median) : IColumn
{
    public string Id => $"{nameof(CallsPerSecondColumn)}.{(median ? "Median" : "Mean")}";

    public string ColumnName => median ? "Calls/s (P50)" : "Calls/s (mean)";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => median ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => median
        ? "Calls of one iteration divided by the median iteration time"
        : "Calls of one iteration divided by the mean iteration time";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        CallsAttribute? calls = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<CallsAttribute>();
        if (calls is null) return "-";
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        double? nanoseconds = median ? statistics?.Median : statistics?.Mean;
        if (nanoseconds is not > 0) return "NA";
        return (calls.Calls / (nanoseconds.Value / 1e9)).ToString("N0", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}

/// <summary>
/// A percentile BenchmarkDotNet has no column for (it has P0, P25, P50, P67, P80, P85, P90, P95 and P100), from the
/// same statistics.
/// </summary>
public sealed class PercentileColumn(int percentile) : IColumn
{
    public string Id => $"{nameof(PercentileColumn)}.P{percentile}";

    public string ColumnName => $"P{percentile}";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Statistics;

    // After BenchmarkDotNet's own percentiles (P50, P90, P95), before Max.
    public int PriorityInCategory => percentile;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Time;

    public string Legend => $"Percentile {percentile}: {percentile}% of the iterations took at most this long";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null) return "NA";
        double nanoseconds = statistics.Percentiles.Percentile(percentile);
        // The table's unit, as BenchmarkDotNet picks it for its own time columns.
        TimeUnit unit = style.TimeUnit ?? TimeUnit.GetBestTimeUnit(nanoseconds);
        string value = TimeUnit.Convert(nanoseconds, TimeUnit.Nanosecond, unit).ToString("N3", style.CultureInfo);
        return style.PrintUnitsInContent ? $"{value} {unit.Abbreviation}" : value;
    }

    public override string ToString() => ColumnName;
}
