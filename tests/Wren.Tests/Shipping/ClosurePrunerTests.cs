using System.Reflection;
using Wren.Shipping;

namespace Wren.Tests.Shipping;

public sealed class ClosurePrunerTests : IDisposable
{
    private readonly Stream _notSerializable = new MemoryStream();

    public void Dispose() => _notSerializable.Dispose();

    private static object? Field(object target, string name) =>
        target.GetType().GetField(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)?.GetValue(target);

    private static bool HasValue(object target, string name) => Field(target, name) is not null;

    [Fact]
    public void Prune_LambdaSharingClosureWithThis_DropsThisAndUnusedLocals()
    {
        int used = 3;
        string unused = "only the other lambda reads this";
        Func<int, int> shipped = x => x + used;
        Func<string> other = () => unused + _notSerializable.Length;
        Assert.NotNull(other);

        Delegate pruned = ClosurePruner.Prune(shipped);
        Assert.NotSame(shipped.Target, pruned.Target);
        Assert.Equal(3, Field(pruned.Target!, "used"));
        Assert.False(HasValue(pruned.Target!, "unused"));
        Assert.False(HasValue(pruned.Target!, "<>4__this"));
        Assert.Equal(10, ((Func<int, int>)pruned)(7));
    }

    [Fact]
    public void Prune_NestedScopes_KeepsTheParentClosureFieldsUsed()
    {
        int outer = 100;
        string outerUnused = "x";
        var results = new List<Delegate>();
        for (int i = 0; i < 1; i++)
        {
            int inner = i + 1;
            Func<int, int> shipped = x => x + outer + inner;
            Func<string> other = () => outerUnused + _notSerializable.Length;
            Assert.NotNull(other);
            results.Add(ClosurePruner.Prune(shipped));
        }
        var pruned = (Func<int, int>)results[0];
        Assert.Equal(111, pruned(10));
        object parent = Field(pruned.Target!, "CS$<>8__locals1")!;
        Assert.Equal(100, Field(parent, "outer"));
        Assert.False(HasValue(parent, "outerUnused"));
        Assert.False(HasValue(parent, "<>4__this"));
    }

    [Fact]
    public void Prune_LocalFunctionCalledFromLambda_KeepsWhatTheLocalFunctionUses()
    {
        int bias = 5;
        string unused = "u";
        int Biased(int x) => x + bias;
        Func<int, int> shipped = x => Biased(x) * 2;
        Func<string> other = () => unused + _notSerializable.Length;
        Assert.NotNull(other);
        var pruned = (Func<int, int>)ClosurePruner.Prune(shipped);
        Assert.Equal(12, pruned(1));
        Assert.False(HasValue(pruned.Target!, "unused"));
    }

    [Fact]
    public void Prune_StaticLambdaOrMethodGroup_IsUnchanged()
    {
        Func<int, int> lambda = static x => x * 2;
        Assert.Same(lambda, ClosurePruner.Prune(lambda));
        Func<string, int> method = int.Parse;
        Assert.Same(method, ClosurePruner.Prune(method));
    }

    [Fact]
    public async Task Prune_AsyncLambda_KeepsWhatItsStateMachineReads()
    {
        string marker = "kept";
        int unused = 5;
        Func<int, Task<string>> shipped = async x =>
        {
            await Task.Yield();
            return $"{marker}/{x}";
        };
        Func<int> other = () => unused + (int)_notSerializable.Length;
        Assert.NotNull(other);

        Delegate pruned = ClosurePruner.Prune(shipped);
        Assert.Equal("kept", Field(pruned.Target!, "marker"));
        Assert.False(HasValue(pruned.Target!, "<>4__this"));
        Assert.Equal("kept/2", await ((Func<int, Task<string>>)pruned)(2));
    }
}
