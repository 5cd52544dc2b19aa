using Wren.Backends;
using Wren.Backends.Local;
using Wren.Protocol;

namespace Wren.Tests.Backends.Local;

/// <summary>
/// An invocation names the user's code by a key, the hash of its list of files, and carries the list too: a worker
/// that has loaded the set knows it by the key alone, and one that has not reads the list only if it matches the key.
/// A real worker, with the function's code in a storage folder.
/// </summary>
[Trait("Category", "Slow")]
public sealed class WorkerCodeKeyTests : IAsyncLifetime
{
    private static readonly InvocationSettings Settings = new(256, TimeSpan.FromSeconds(30), 1);

    private RealInvocation _real = null!;

    public async Task InitializeAsync() => _real = await RealInvocation.CreateAsync();

    public Task DisposeAsync()
    {
        _real.Dispose();
        return Task.CompletedTask;
    }

    private static async Task<InvocationOutcome> InvokeAsync(LocalWorkerPool pool, InvocationRequest request) =>
        await pool.InvokeAsync(WrenProtocol.WrapBinary(request), Settings, () => { }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(90));

    private static int[] Outputs(InvocationOutcome outcome) => RealInvocation.Outputs(Assert.IsType<InvocationOutcome.Answered>(outcome).Envelope);

    [Fact]
    public async Task WorkerThatKnowsTheKey_DoesNotReadTheList()
    {
        await using var pool = new LocalWorkerPool(1, 256, TimeProvider.System);
        int[] first = Outputs(await InvokeAsync(pool, _real.Request([1, 2])));

        // Bytes that are no MessagePack at all: read, they would fail the invocation.
        int[] same = Outputs(await InvokeAsync(pool, _real.Request([3, 4, 5], codeList: [0xC1, 0xC1])));
        int[] other = Outputs(await InvokeAsync(pool, _real.Request([3, 4], _real.Plus100, codeList: [0xC1, 0xC1])));

        Assert.Equal(_real.Code.Key, CodeManifest.Of(_real.Plus100.Code.Select(c => new CodeFile(c.Name, c.Hash))).Key);
        Assert.Equal([3, 6], first);
        Assert.Equal([9, 12, 15], same);
        Assert.Equal([103, 104], other);
    }

    [Fact]
    public async Task ListThatDoesNotMatchItsKey_IsRefusedBeforeAnythingLoads()
    {
        string otherKey = new('0', 64);
        await using var pool = new LocalWorkerPool(1, 256, TimeProvider.System);

        var rejected = Assert.IsType<InvocationOutcome.Rejected>(await InvokeAsync(pool, _real.Request([1], codeKey: otherKey)));

        Assert.Equal(WorkerErrors.WorkerError, rejected.ErrorType);
        Assert.Equal($"WrenException: The invocation's code list hashes to {_real.Code.Key}, not to its key {otherKey}: the request was damaged on its way, or made by a client that is not Wren's.", rejected.Message);
        // The worker is still there, and runs the next invocation with the right key.
        int[] next = Outputs(await InvokeAsync(pool, _real.Request([7])));
        Assert.Equal([21], next);
    }

    [Fact]
    public void Manifest_ReadsBackItsFiles_AndItsKeyIsTheListsHash()
    {
        CodeFile[] files = [new("App", "aa11"), new("Lib", "bb22")];

        CodeManifest manifest = CodeManifest.Of(files);

        Assert.Equal(files, CodeManifest.Read(manifest.Key, manifest.List));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(manifest.List)), manifest.Key);
        Assert.NotEqual(manifest.Key, CodeManifest.Of([files[0]]).Key);
    }
}
