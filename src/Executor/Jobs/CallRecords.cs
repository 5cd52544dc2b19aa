namespace Wren.Jobs;

/// <summary>Turns a future into what storage keeps about its call: shared by the job's stats and the timeline plot.</summary>
internal static class CallRecords
{
    /// <summary>How the future's call went; a call that has not ended yet is recorded as failed, so read it when the call is done.</summary>
    public static CallRecord From(Future future, int callId)
    {
        FutureStats stats = future.Stats;
        Exception? error = future.Error;
        return new CallRecord
        {
            CallId = callId,
            Status = future.Status == FutureStatus.Succeeded ? CallStatus.Succeeded : error switch
            {
                WrenTimeoutException => CallStatus.TimedOut,
                WorkerLostException => CallStatus.Lost,
                OperationCanceledException => CallStatus.Cancelled,
                _ => CallStatus.Failed,
            },
            SubmittedAt = stats.SubmittedAt,
            StartedAt = stats.StartedAt,
            EndedAt = stats.EndedAt,
            ColdStart = stats.ColdStart,
            WorkerId = stats.WorkerId,
            PeakMemoryBytes = stats.PeakMemoryBytes,
            BytesIn = stats.BytesIn,
            BytesOut = stats.BytesOut,
            Attempts = stats.Attempts,
            Error = error switch
            {
                null => null,
                RemoteException remote => $"{remote.RemoteType}: {remote.RemoteMessage}",
                _ => $"{error.GetType().Name}: {error.Message}",
            },
        };
    }
}
