using System.Diagnostics;
using System.Text.Json;
using Wren.Aws;
using Wren.Aws.Batch;
using Wren.Backends.Local;

namespace Wren.TestSupport.Batch;

/// <summary>
/// AWS Batch's job API on loopback: SubmitJob starts each child as its container would start, with the job definition's
/// command (from moto) run by sh, its environment plus the submission's overrides and AWS_BATCH_JOB_ARRAY_INDEX, a
/// private temporary folder, and the memory asked for as the GC heap limit. DescribeJobs and TerminateJob answer from
/// those processes; everything else (job definitions, queues) is moto's.
/// </summary>
internal sealed class FakeBatchService : LoopbackAwsService
{
    private static readonly JsonSerializerOptions ApiJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true };

    private readonly Dictionary<string, FakeBatchJob> _jobs = [];
    private readonly BatchClient _control;
    private readonly IReadOnlyDictionary<string, string> _containerEnvironment;
    private readonly SemaphoreSlim _slots = new(4);

    public FakeBatchService(string motoEndpoint, IReadOnlyDictionary<string, string> containerEnvironment) : base(motoEndpoint)
    {
        _containerEnvironment = containerEnvironment;
        _control = new BatchClient(AwsContext.FromEnvironment(environment: name => containerEnvironment.GetValueOrDefault(name)));
    }

    /// <summary>Every SubmitJob body received, as sent.</summary>
    public List<JsonElement> Submissions { get; } = [];

    /// <summary>The reason of every TerminateJob received.</summary>
    public List<string> Terminated { get; } = [];

    protected override async Task<(int Status, Dictionary<string, string> Headers, byte[] Body)?> HandleAsync(HttpExchange.Request request)
    {
        switch (request.Path)
        {
            case "/v1/submitjob":
                return (200, new(), Json(await SubmitAsync(request.Body)));
            case "/v1/describejobs":
                return (200, new(), Json(new { jobs = Describe(JsonDocument.Parse(request.Body).RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetString()!)) }));
            case "/v1/terminatejob":
                Terminate(JsonDocument.Parse(request.Body).RootElement);
                return (200, new(), Json(new { }));
            default:
                return null;
        }
    }

    private async Task<object> SubmitAsync(byte[] body)
    {
        JsonElement submitted = JsonDocument.Parse(body).RootElement.Clone();
        lock (Submissions) Submissions.Add(submitted);
        var request = submitted.Deserialize<SubmitJobRequest>(ApiJson)!;
        string definitionName = request.JobDefinition.Split('/')[^1].Split(':')[0];
        JobDefinition definition = (await _control.DescribeJobDefinitionsAsync(definitionName)).OrderByDescending(d => d.Revision).First();
        var job = new FakeBatchJob(Guid.NewGuid().ToString(), request.JobName, request.ArrayProperties?.Size ?? 0);
        lock (_jobs) _jobs[job.Id] = job;
        for (int index = 0; index < job.Children.Length; index++) _ = RunChildAsync(job, index, definition, request);
        return new { jobId = job.Id, jobName = job.Name, jobArn = $"arn:aws:batch:us-east-1:123456789012:job/{job.Id}" };
    }

    private async Task RunChildAsync(FakeBatchJob job, int index, JobDefinition definition, SubmitJobRequest request)
    {
        FakeBatchJob.Child child = job.Children[index];
        await _slots.WaitAsync();
        string folder = Path.Combine(Path.GetTempPath(), "wren-tests", $"container-{Guid.NewGuid():N}");
        try
        {
            if (child.Status == "FAILED") return;
            Directory.CreateDirectory(folder);
            string[] command = request.ContainerOverrides?.Command is { Count: > 0 } overridden ? [.. overridden] : [.. definition.ContainerProperties!.Command!];
            string executable = Path.IsPathRooted(command[0]) ? command[0] : Path.Combine(ImageTools.Value, command[0]);
            var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
            foreach (string argument in command.Skip(1)) start.ArgumentList.Add(argument);
            start.Environment.Clear();
            start.Environment["PATH"] = ImageTools.Value;
            start.Environment["HOME"] = folder;
            start.Environment["TMPDIR"] = folder;
            foreach ((string key, string value) in _containerEnvironment) start.Environment[key] = value;
            foreach (EnvironmentVariable variable in definition.ContainerProperties?.Environment ?? []) start.Environment[variable.Name] = variable.Value;
            foreach (EnvironmentVariable variable in request.ContainerOverrides?.Environment ?? []) start.Environment[variable.Name] = variable.Value;
            start.Environment["AWS_BATCH_JOB_ID"] = job.Size > 0 ? $"{job.Id}:{index}" : job.Id;
            if (job.Size > 0) start.Environment["AWS_BATCH_JOB_ARRAY_INDEX"] = index.ToString();
            string? memory = (request.ContainerOverrides?.ResourceRequirements ?? definition.ContainerProperties?.ResourceRequirements ?? [])
                .FirstOrDefault(r => r.Type == ResourceRequirement.Memory)?.Value;
            if (memory is not null) start.Environment["DOTNET_GCHeapHardLimit"] = $"0x{long.Parse(memory) * 1024 * 1024:X}";

            using Process process = Process.Start(start)!;
            child.Process = process;
            child.Status = "RUNNING";
            child.StartedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            int seconds = request.Timeout?.AttemptDurationSeconds ?? 3600;
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                child.Reason = "Job attempt duration exceeded timeout";
            }
            child.ExitCode = process.ExitCode;
            child.StoppedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            child.Reason ??= process.ExitCode == 0 ? null : "Essential container in task exited";
            child.Status = process.ExitCode == 0 ? "SUCCEEDED" : "FAILED";
        }
        catch (Exception e)
        {
            child.Reason = $"CannotStartContainerError: {e.Message}";
            child.Status = "FAILED";
        }
        finally
        {
            _slots.Release();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private List<object> Describe(IEnumerable<string> ids)
    {
        var found = new List<object>();
        lock (_jobs)
        {
            foreach (string id in ids)
            {
                string[] parts = id.Split(':');
                if (!_jobs.TryGetValue(parts[0], out FakeBatchJob? job)) continue;
                if (parts.Length == 1) found.Add(job.Size > 0 ? job.Describe() : job.DescribeChild(0));
                else if (int.TryParse(parts[1], out int index) && index < job.Children.Length) found.Add(job.DescribeChild(index));
            }
        }
        return found;
    }

    private void Terminate(JsonElement request)
    {
        string id = request.GetProperty("jobId").GetString()!;
        lock (Terminated) Terminated.Add(request.GetProperty("reason").GetString()!);
        FakeBatchJob? job;
        lock (_jobs) _jobs.TryGetValue(id, out job);
        if (job is null) return;
        foreach (FakeBatchJob.Child child in job.Children)
        {
            if (child.Status is "SUCCEEDED" or "FAILED") continue;
            child.Reason = request.GetProperty("reason").GetString();
            child.Status = "FAILED";
            try
            {
                child.Process?.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        FakeBatchJob[] jobs;
        lock (_jobs) jobs = [.. _jobs.Values];
        foreach (FakeBatchJob.Child child in jobs.SelectMany(j => j.Children))
        {
            try
            {
                child.Process?.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }
        await base.DisposeAsync();
        _control.Dispose();
        _slots.Dispose();
    }

    /// <summary>
    /// What the stock image (Microsoft's .NET runtime image on Alpine) has on its PATH that the command may use:
    /// busybox's sh, mkdir, sleep, wget and unzip, and dotnet. Nothing else of this machine is visible to a container.
    /// </summary>
    private static readonly Lazy<string> ImageTools = new(() =>
    {
        string busybox = ExternalTool.Require("busybox");
        string folder = Path.Combine(Path.GetTempPath(), "wren-tests", $"image-tools-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        foreach (string applet in new[] { "sh", "mkdir", "sleep", "wget", "unzip" }) File.CreateSymbolicLink(Path.Combine(folder, applet), busybox);
        File.CreateSymbolicLink(Path.Combine(folder, "dotnet"), Wren.Backends.WorkerFiles.DotnetHost() is { } host && Path.IsPathRooted(host) ? host : ExternalTool.Require("dotnet"));
        return folder;
    });
}
