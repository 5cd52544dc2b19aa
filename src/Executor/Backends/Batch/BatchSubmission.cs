namespace Wren.Backends.Batch;

/// <summary>One array job: the chunks submitted together and, as they answer, each chunk's outcome.</summary>
internal sealed class BatchSubmission(string key, InvocationSettings settings)
{
    public sealed record Chunk(byte[] Envelope, InvocationSettings Settings, Action OnRunning)
    {
        public TaskCompletionSource<InvocationOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public string Key { get; } = key;

    public InvocationSettings Settings { get; } = settings;

    public List<Chunk> Chunks { get; } = [];

    public string? JobId { get; set; }

    /// <summary>Set when the Map's token was cancelled: the job is terminated.</summary>
    public bool Cancelled { get; set; }

    public bool AllFinished => Chunks.All(c => c.Outcome.Task.IsCompleted);
}
