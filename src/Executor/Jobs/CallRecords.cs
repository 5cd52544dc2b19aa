namespace Wren.Jobs;

/// <summary>Turns a call's state into what storage keeps about it: shared by the job's stats and the timeline plot.</summary>
internal static class CallRecords
{
    /// <summary>
    /// How call <paramref name="callId"/> went, read from the job's arrays (no future is made); a call that has not ended
    /// yet is recorded as failed, so read it when the call is done.
    /// </summary>
    public static CallRecord From(FutureStates states, int callId)
    {
        FutureStats stats = states.StatsOf(callId);
        Exception? error = states.ErrorOf(callId);
        return new CallRecord
        {
            CallId = callId,
            Status = states.StatusOf(callId) == FutureStatus.Succeeded ? CallStatus.Succeeded : StatusOf(error),
            SubmittedAt = stats.SubmittedAt,
            StartedAt = stats.StartedAt,
            EndedAt = stats.EndedAt,
            ColdStart = stats.ColdStart,
            WorkerId = stats.WorkerId,
            PeakMemoryBytes = stats.PeakMemoryBytes,
            BytesIn = stats.BytesIn,
            BytesOut = stats.BytesOut,
            Attempts = stats.Attempts,
            Error = Describe(error),
        };
    }

    /// <summary>How a call that did not succeed ended, by what it failed with.</summary>
    public static CallStatus StatusOf(Exception? error) => error switch
    {
        WrenTimeoutException => CallStatus.TimedOut,
        WorkerLostException => CallStatus.Lost,
        OperationCanceledException => CallStatus.Cancelled,
        _ => CallStatus.Failed,
    };

    /// <summary>A call's error as stored: the remote exception's type and message, or the local one's.</summary>
    public static string? Describe(Exception? error) => error switch
    {
        null => null,
        RemoteException remote => $"{remote.RemoteType}: {remote.RemoteMessage}",
        _ => $"{error.GetType().Name}: {error.Message}",
    };
}
