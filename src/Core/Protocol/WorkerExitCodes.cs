namespace Wren.Protocol;

/// <summary>The exit codes of a worker process, which the local backend and Batch report.</summary>
internal static class WorkerExitCodes
{
    public const int Success = 0;
    public const int InitFailed = 2;
    public const int CallTimedOut = 3;
    public const int OutOfResources = 4;
}
