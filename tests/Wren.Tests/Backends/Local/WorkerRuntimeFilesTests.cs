using System.Text;
using Wren.Backends;
using Wren.Backends.Local;

namespace Wren.Tests.Backends.Local;

/// <summary>
/// A pool stops its workers by killing them, and a killed .NET process leaves its debugger pipes and diagnostics socket
/// in the temp folder: the pool removes them. A real worker, on Linux, where these are files.
/// </summary>
[Trait("Category", "Slow")]
public sealed class WorkerRuntimeFilesTests
{
    [Fact]
    public async Task DisposedPool_LeavesNoRuntimeFilesOfItsWorkers()
    {
        if (!OperatingSystem.IsLinux()) return;
        string[] files;
        int processId;
        await using (var pool = new LocalWorkerPool(1, 256, TimeProvider.System))
        {
            // Something the worker refuses at once: it is then up, its runtime's files made.
            Assert.IsType<InvocationOutcome.Rejected>(await pool.InvokeAsync(Encoding.UTF8.GetBytes("""{"hello":"world"}"""),
                new InvocationSettings(256, TimeSpan.FromSeconds(5), 1), () => { }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));
            WorkerProcess worker = Assert.Single(pool.Workers);
            processId = worker.ProcessId;
            files = WorkerProcess.RuntimeFiles(processId);
            Assert.Equal(3, files.Length);
            // The runtime names them so (this fails if a runtime version names them otherwise, and the pool then leaves them).
            Assert.All(files, file => Assert.True(File.Exists(file), $"{file} is not there; the worker's temp folder holds: "
                + string.Join(", ", Directory.GetFiles(Path.GetTempPath(), $"*-{processId}-*").Select(Path.GetFileName))));
        }
        Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(processId));
        Assert.All(files, file => Assert.False(File.Exists(file), $"{file} is left"));
    }
}
