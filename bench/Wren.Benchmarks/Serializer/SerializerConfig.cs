using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Wren.Benchmarks.Serializer;

/// <summary>The serializer suite's extra columns; the job comes from the command line (<c>--job short</c> for a quick run).</summary>
public sealed class SerializerConfig : ManualConfig
{
    public SerializerConfig()
    {
        AddColumn(new WireSizeColumn(), new ThroughputColumn());
    }
}

/// <summary>Marks a benchmark that moves a fixed payload, so that <see cref="ThroughputColumn"/> can report GB/s.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PayloadBytesAttribute(long bytes) : Attribute
{
    public long Bytes { get; } = bytes;
}

/// <summary>Payload bytes (from <see cref="PayloadBytesAttribute"/>) divided by the mean time, in GB/s (10^9 bytes a second).</summary>
public sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "GB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Payload (the in-memory size of the doubles: 8,000,000 bytes) divided by the mean time, in 10^9 bytes a second";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        PayloadBytesAttribute? payload = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<PayloadBytesAttribute>();
        if (payload is null) return "-";
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNanoseconds is not > 0) return "NA";
        // Bytes per nanosecond is 10^9 bytes per second.
        return (payload.Bytes / meanNanoseconds.Value).ToString("0.00", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}

/// <summary>The size of the library's serialized form of the case, computed in the host from the same sample data.</summary>
public sealed class WireSizeColumn : IColumn
{
    public string Id => nameof(WireSizeColumn);

    public string ColumnName => "Wire bytes";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Length of the serialized bytes that the benchmark writes or reads";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        // Method names are {Case}{Direction}_{Library}, for example IntsDeserialize_Wren or DoublesSerializeToBuffer_WrenRaw.
        string name = benchmarkCase.Descriptor.WorkloadMethod.Name;
        int underscore = name.IndexOf('_');
        if (underscore < 0) return "?";
        string library = name[(underscore + 1)..];
        // The case is what comes before the direction (Serialize, SerializeToBuffer or Deserialize).
        int direction = name.IndexOf("Deserialize", StringComparison.Ordinal);
        if (direction < 0) direction = name.IndexOf("Serialize", StringComparison.Ordinal);
        if (direction < 0) return "?";
        string caseName = name[..direction];
        return Payloads.Shared.Bytes(caseName, library).Length.ToString("N0", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
