namespace Wren.Backends.Batch;

/// <summary>
/// Where a Map's array jobs go: the queues and job definitions <c>wren deploy-batch</c> made, and the worker bundle
/// (none for a custom image, which has the worker inside).
/// </summary>
internal sealed record BatchTargets(string JobQueue, string JobDefinition, string? GpuJobQueue, string? GpuJobDefinition, string? BundleKey)
{
    public (string Queue, string Definition) For(int gpus) => gpus > 0
        ? (GpuJobQueue ?? throw new WrenException("This Map asks for GPUs, but Batch has no GPU queue: run `wren deploy-batch --gpu`."),
           GpuJobDefinition ?? throw new WrenException("This Map asks for GPUs, but Batch has no GPU job definition: run `wren deploy-batch --gpu`."))
        : (JobQueue, JobDefinition);
}
