using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Wren.Backends;
using Wren.Backends.Local;

namespace Wren.Tests.Backends.Local;

/// <summary>
/// The local pool's backstop: a worker that holds an invocation past its patience (its calls' timeouts and 30 s) is
/// stopped, and the invocation comes back lost, so that its calls run again. The worker here is a real one, frozen
/// with SIGSTOP as the invocation is handed to it (before it can read it); the pool's clock is a fake one, moved past
/// the patience.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class LocalBackstopTests
{
    private const int SignalStop = 19, SignalContinue = 18;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int processId, int signal);

    private static readonly InvocationSettings OneCall = new(256, TimeSpan.FromSeconds(1), 1);

    [Fact]
    public async Task WorkerThatStopsAnswering_IsStoppedAndItsInvocationLost()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var pool = new LocalWorkerPool(1, 256, time);
        // Something the worker refuses at once: it is then up and waiting for the next invocation.
        Assert.IsType<InvocationOutcome.Rejected>(await pool.InvokeAsync(Encoding.UTF8.GetBytes("""{"hello":"world"}"""), OneCall, () => { }, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60)));
        WorkerProcess worker = Assert.Single(pool.Workers);
        // Read now: once the backstop has stopped it, the pool disposes the worker's process object.
        int processId = worker.ProcessId;
        try
        {
            var taken = new TaskCompletionSource<int>();
            // Called as the invocation is handed to the worker, before it is written to the worker's socket.
            void Freeze() => taken.SetResult(Kill(processId, SignalStop));
            Task<InvocationOutcome> held = pool.InvokeAsync(Encoding.UTF8.GetBytes("""{"hello":"again"}"""), OneCall, Freeze, CancellationToken.None);
            Assert.Equal(0, await taken.Task.WaitAsync(TimeSpan.FromSeconds(30)));
            // Within its patience nothing happens.
            time.Advance(TimeSpan.FromSeconds(29));
            await Task.Delay(200);
            Assert.False(held.IsCompleted);
            time.Advance(TimeSpan.FromSeconds(3));
            var lost = Assert.IsType<InvocationOutcome.Lost>(await held.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal($"worker {worker.Id} did not answer within 31 s and was stopped", lost.Reason);
        }
        finally
        {
            // Whatever happened, the worker is not left frozen.
            Kill(processId, SignalContinue);
        }
    }
}
