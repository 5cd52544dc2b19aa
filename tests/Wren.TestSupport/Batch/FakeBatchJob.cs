using System.Diagnostics;

namespace Wren.TestSupport.Batch;

/// <summary>One submitted job of the fake Batch service, and its children's container processes.</summary>
internal sealed class FakeBatchJob(string id, string name, int size)
{
    public sealed class Child
    {
        public string Status { get; set; } = "RUNNABLE";
        public string? Reason { get; set; }
        public int? ExitCode { get; set; }
        public long? StartedAt { get; set; }
        public long? StoppedAt { get; set; }
        public Process? Process { get; set; }
    }

    public string Id { get; } = id;
    public string Name { get; } = name;

    /// <summary>0 for a plain job; otherwise the number of array children.</summary>
    public int Size { get; } = size;

    public Child[] Children { get; } = [.. Enumerable.Range(0, Math.Max(1, size)).Select(_ => new Child())];

    public long CreatedAt { get; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public string Status
    {
        get
        {
            lock (Children)
            {
                if (Children.All(c => c.Status == "SUCCEEDED")) return "SUCCEEDED";
                if (Children.All(c => c.Status is "SUCCEEDED" or "FAILED")) return "FAILED";
                return Children.Any(c => c.Status == "RUNNING") ? "RUNNING" : "RUNNABLE";
            }
        }
    }

    public object Describe() => new
    {
        jobId = Id,
        jobName = Name,
        jobArn = $"arn:aws:batch:us-east-1:123456789012:job/{Id}",
        status = Status,
        createdAt = CreatedAt,
        arrayProperties = Size > 0 ? new { size = Size, statusSummary = Children.GroupBy(c => c.Status).ToDictionary(g => g.Key, g => g.Count()) } : null,
    };

    public object DescribeChild(int index)
    {
        Child child = Children[index];
        return new
        {
            jobId = Size > 0 ? $"{Id}:{index}" : Id,
            jobName = Name,
            status = child.Status,
            statusReason = child.Reason,
            startedAt = child.StartedAt,
            stoppedAt = child.StoppedAt,
            arrayProperties = Size > 0 ? new { index } : null,
            container = new { exitCode = child.ExitCode, reason = child.Reason, logStreamName = $"{Name}/default/{Id}" },
        };
    }
}
