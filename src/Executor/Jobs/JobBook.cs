using Wren.Storage;

namespace Wren.Jobs;

/// <summary>
/// Where short jobs leave their bookkeeping. Every job leaves its record and its calls' stats in storage, for
/// <c>wren jobs</c> and <c>wren plot</c>; in a folder of its own that is a folder and two objects, which for a job that
/// ended within a second (every <c>CallAsync</c> is a job) costs more than its calls: on a local disk 0.1 to 1 ms of
/// file system work between one call and the next, on S3 two PUT requests. Such jobs go on a page instead, many to one
/// object (<see cref="JobPage"/>), written a second after the first of them ended, when it holds <see cref="PageJobs"/>,
/// or when the executor is disposed (<see cref="FlushAsync"/>). A process that ends without disposing its executor loses
/// at most the last second's short jobs from <c>wren jobs</c>; their results are what matter, and those were returned.
/// </summary>
internal sealed class JobBook(IObjectStorage storage, string prefix, TimeProvider time)
{
    /// <summary>A job with more calls keeps its own folder: its stats are large enough to be an object of their own.</summary>
    public const int MaxCalls = 1000;

    /// <summary>How many jobs a page holds at most.</summary>
    public const int PageJobs = 256;

    /// <summary>How long a job waits on an unwritten page, at most.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private List<JobPageEntry> _pending = [];
    private ITimer? _timer;
    private Task _writing = Task.CompletedTask;

    /// <summary>Whether a job of <paramref name="calls"/> calls that ended now goes on a page (one that ran long has written its record already).</summary>
    public static bool Takes(int calls, bool detached, bool recordWritten) => !detached && !recordWritten && calls <= MaxCalls;

    /// <summary>Puts an ended job on the page being filled; it is written with the page.</summary>
    public void Add(JobRecord record, JobStats stats)
    {
        lock (_lock)
        {
            _pending.Add(new JobPageEntry { Record = record, Stats = stats });
            if (_pending.Count >= PageJobs) WritePending();
            else _timer ??= time.CreateTimer(static book => ((JobBook)book!).Flush(), this, Delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Writes the page being filled, if any, and waits for every page to be written (or given up).</summary>
    public Task FlushAsync()
    {
        lock (_lock)
        {
            WritePending();
            return _writing;
        }
    }

    private void Flush() => _ = FlushAsync();

    /// <summary>Starts writing the pending jobs as a page, after the pages before it. Called under the lock.</summary>
    private void WritePending()
    {
        _timer?.Dispose();
        _timer = null;
        if (_pending.Count == 0) return;
        JobPage page = new() { Jobs = [.. _pending] };
        _pending = [];
        Task before = _writing;
        _writing = WriteAsync(before, page);
    }

    private async Task WriteAsync(Task before, JobPage page)
    {
        await before.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
        JobRecord first = page.Jobs[0].Record;
        try
        {
            await JobRunner.KeepAsync(storage, StorageKeys.JobPage(prefix, first.ExecutorId, first.JobId), Stored(page), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Bookkeeping: a page that cannot be written is only missing from `wren jobs`; it must not fail the
            // executor's disposal, nor leave a faulted task that nobody observes (the timer's flush).
        }
    }

    /// <summary>A page as stored: each job's stats with their columns packed, as a job's own folder keeps them.</summary>
    public static byte[] Stored(JobPage page) => JobRunner.Record(page with { Jobs = [.. page.Jobs.Select(j => j with { Stats = j.Stats.WithColumnsPacked() })] });

    /// <summary>A page as read from storage, every job's stats unpacked; throws <see cref="InvalidDataException"/> on packed columns that do not read.</summary>
    public static JobPage Read(byte[] stored)
    {
        JobPage page = JobRunner.ReadRecord<JobPage>(stored);
        return page with { Jobs = [.. page.Jobs.Select(j => j with { Stats = j.Stats.WithColumnsUnpacked() })] };
    }
}
