using System.Runtime.CompilerServices;
using Wren.Shipping;

namespace Wren.Tests.Shipping;

public sealed class FunctionNamesTests
{
    private static int LineHere([CallerLineNumber] int line = 0) => line;

    [Fact]
    public void Of_Lambda_IsItsFileAndLine()
    {
        int line = LineHere(); Func<int, int> square = x => x * x;
        Assert.Equal($"FunctionNamesTests.cs:{line}", FunctionNames.Of(square.Method));
    }

    [Fact]
    public void Of_AsyncLambda_IsItsFileAndFirstLine()
    {
        int line = LineHere() + 1;
        Func<int, Task<int>> later = async x =>
        {
            await Task.Yield();
            return x;
        };
        string name = FunctionNames.Of(later.Method);
        Assert.StartsWith("FunctionNamesTests.cs:", name);
        Assert.InRange(int.Parse(name.Split(':')[1]), line, line + 3);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Map_FutureListAndJobRecord_CarryTheName()
    {
        string folder = Path.Combine(Path.GetTempPath(), "wren-tests", $"names-{Guid.NewGuid():N}");
        await using WrenExecutor executor = WrenExecutor.Create(new WrenOptions { StoragePath = folder, LocalWorkers = 1, ConfigPath = Path.Combine(folder, "none.json"), Backend = WrenBackend.Local });
        int line = LineHere(); FutureList<int> futures = executor.Map((int x) => x + 1, [1]);
        Assert.Equal($"FunctionNamesTests.cs:{line}", futures.Name);
        await futures.GetResultsAsync().WaitAsync(TimeSpan.FromSeconds(90));
    }
}
