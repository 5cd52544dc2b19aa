using Wren.Protocol;

namespace Wren.Tests.Protocol;

public sealed class InvocationResponseTests
{
    private static readonly DateTime Start = new(2026, 12, 2, 5, 0, 0, DateTimeKind.Utc);

    private static CallStats Stats(int i, bool cold = false) => new()
    {
        Started = Start.AddMilliseconds(i),
        Ended = Start.AddMilliseconds(i + 2),
        ColdStart = cold,
        WorkerId = "local-1",
        PeakMemoryBytes = 123_456,
        BytesIn = 3,
        BytesOut = i == 2 ? 9_000_000 : 2,
        BilledMs = 2,
    };

    [Fact]
    public void Columns_CarryEveryKindOfResult_ThroughTheEnvelope()
    {
        CallResult[] calls =
        [
            new() { CallId = 10, Outcome = CallOutcome.Succeeded, Output = [0x01, 0x02], Stats = Stats(0, cold: true) },
            new() { CallId = 11, Outcome = CallOutcome.Failed, Error = new RemoteError("System.Exception", "boom", "at X", null), LogTail = "oops\n", Stats = Stats(1) with { BytesOut = 0 } },
            new() { CallId = 12, Outcome = CallOutcome.Succeeded, OutputKey = "jobs/e/M0001/12/output", Stats = Stats(2) },
            new() { CallId = 13, Outcome = CallOutcome.Succeeded, Output = [0x03, 0x04], LogTail = "hello\n", Stats = Stats(3) },
            new() { CallId = 14, Outcome = CallOutcome.NotRun },
        ];
        (int version, InvocationResponse? read) = WrenProtocol.Unwrap<InvocationResponse>(WrenProtocol.Wrap(InvocationResponse.Of("local-1", calls, workerExiting: true)));

        Assert.Equal(WrenProtocol.Version, version);
        Assert.NotNull(read);
        Assert.True(read.WorkerExiting);
        Assert.Equal([0x01, 0x02, 0x03, 0x04], read.Outputs);
        CallResult[] back = [.. read.Results()];
        Assert.Equal(calls.Length, back.Length);
        for (int i = 0; i < calls.Length; i++)
        {
            Assert.Equal(calls[i].CallId, back[i].CallId);
            Assert.Equal(calls[i].Outcome, back[i].Outcome);
            Assert.Equal(calls[i].Output, back[i].Output);
            Assert.Equal(calls[i].OutputKey, back[i].OutputKey);
            Assert.Equal(calls[i].Error, back[i].Error);
            Assert.Equal(calls[i].LogTail, back[i].LogTail);
            Assert.Equal(calls[i].Stats, back[i].Stats);
        }
    }

    [Fact]
    public void Reader_GivesEachCallItsOwnOutput_SkippingStoredOnes()
    {
        CallResult[] calls =
        [
            new() { CallId = 0, Outcome = CallOutcome.Succeeded, Output = [7], Stats = Stats(0) },
            new() { CallId = 1, Outcome = CallOutcome.Succeeded, OutputKey = "k", Stats = Stats(2) },
            new() { CallId = 2, Outcome = CallOutcome.Failed, Error = new RemoteError("E", "m", null, null), Stats = Stats(1) },
            new() { CallId = 3, Outcome = CallOutcome.Succeeded, Output = [8, 9], Stats = Stats(3) },
        ];
        InvocationResponse response = InvocationResponse.Of("w", calls);
        var reader = new InvocationResponse.Reader(response);
        var seen = new List<(byte[] Output, string? Key)>();
        for (int i = 0; i < calls.Length; i++)
        {
            byte[] output = reader.Next(i, out CallDetail? detail).ToArray();
            seen.Add((output, detail?.OutputKey));
        }
        Assert.Equal([7], seen[0].Output);
        Assert.Equal(("k", 0), (seen[1].Key, seen[1].Output.Length));
        Assert.Empty(seen[2].Output);
        Assert.Equal([8, 9], seen[3].Output);
    }

    [Fact]
    public void BilledTime_IsSharedByRunTime_AndTheSharesAddUpToIt()
    {
        long[] started = [100, 0, 100, 100];
        long[] ended = [400, 0, 200, 700];

        long[] shares = InvocationResponse.SplitBilled(started, ended, 11);

        // Run times 300, none, 100 and 600 ticks: 11 ms in tenths, each rounded so that the sum stays whole.
        Assert.Equal([3, 0, 1, 7], shares);
        Assert.Equal(11, shares.Sum());
        Assert.Equal(new long[4], InvocationResponse.SplitBilled(started, [0, 0, 0, 0], 11));
    }

    [Fact]
    public void Times_PackToAFewBytesACall_AndUnpackToTheSameTicks()
    {
        long t = Start.Ticks;
        // In order; one not run; one that started before the call listed before it (runners side by side); one that ran
        // for three hours; one that started and has no end (cut off by the watchdog's copy).
        long[] started = [t, t + 3, 0, t + 9, t + 5, t + 20, t + 30];
        long[] ended = [t + 2, t + 4, 0, t + 12, t + 6, t + 20 + TimeSpan.FromHours(3).Ticks, 0];

        byte[] packed = InvocationResponse.PackTimes(started, ended);
        (long[] readStarted, long[] readEnded) = InvocationResponse.UnpackTimes(packed, started.Length);

        Assert.Equal(started, readStarted);
        Assert.Equal(ended, readEnded);
        // The first start whole (9 bytes), then two or three bytes a call, the long run's end and the missing end more.
        Assert.True(packed.Length <= 9 + 1 + 6 * 2 + 1 + 5 + 9, $"{packed.Length} bytes");
        Assert.Throws<WrenException>(() => InvocationResponse.UnpackTimes(packed[..^1], started.Length));
        Assert.Throws<WrenException>(() => InvocationResponse.UnpackTimes([.. packed, 0], started.Length));
    }

    [Fact]
    public void CopyWithOtherTimes_ReadsItsOwn()
    {
        long t = Start.Ticks;
        var response = new InvocationResponse
        {
            WorkerId = "w",
            CallIds = [],
            Outcomes = [0, 0],
            OutputLengths = [0, 0],
            Outputs = [],
            Times = InvocationResponse.PackTimes([t, t + 10], [t + 10, t + 30]),
            BilledMs = 3,
        };
        Assert.Equal([1, 2], new[] { response.BilledShareOf(0), response.BilledShareOf(1) });

        InvocationResponse copy = response with { Times = InvocationResponse.PackTimes([t, t + 30], [t + 30, t + 40]), BilledMs = 8 };

        Assert.Equal([t, t + 30], copy.Started);
        Assert.Equal([6, 2], new[] { copy.BilledShareOf(0), copy.BilledShareOf(1) });
        Assert.Equal([t, t + 10], response.Started);
    }
}
