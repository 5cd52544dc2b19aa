using Wren.Backends;
using Wren.Backends.Local;
using Wren.Protocol;
using Wren.Serialization;
using Wren.Shipping;
using Wren.Storage;

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

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "wren-tests", $"code-key-{Guid.NewGuid():N}");
    private CapturedFunction _function = null!;
    private CapturedFunction _other = null!;
    private CodeManifest _code = null!;

    public async Task InitializeAsync()
    {
        _function = FunctionCapture.Capture(new Func<int, int>(x => x * 3), typeof(int), typeof(int));
        // Another function of the same code: a worker that ran the first has its code set, not this function.
        _other = FunctionCapture.Capture(new Func<int, int>(x => x + 100), typeof(int), typeof(int));
        using var storage = new FileStorage(_folder);
        await new CodeUploader(storage, "p").EnsureStoredAsync(_function.Code);
        _code = CodeManifest.Of(_function.Code.Select(c => new CodeFile(c.Name, c.Hash)));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private InvocationRequest Request(string codeKey, byte[] codeList, params int[] inputs) => Request(_function, codeKey, codeList, inputs);

    private InvocationRequest Request(CapturedFunction function, string codeKey, byte[] codeList, params int[] inputs)
    {
        byte[][] data = [.. inputs.Select(i => WrenSerializer.Serialize(i))];
        return new InvocationRequest
        {
            ExecutorId = "e1",
            JobId = "M0001",
            Storage = StorageLocation.ForFolder(_folder) with { Prefix = "p" },
            Function = function.Bytes,
            CodeKey = codeKey,
            CodeList = codeList,
            CallIds = [.. Enumerable.Range(0, inputs.Length)],
            Data = [.. data.SelectMany(d => d)],
            InputLengths = [.. data.Select(d => d.Length)],
            Parallelism = 1,
        };
    }

    private static async Task<InvocationOutcome> InvokeAsync(LocalWorkerPool pool, InvocationRequest request) =>
        await pool.InvokeAsync(WrenProtocol.WrapBinary(request), Settings, () => { }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(90));

    private static int[] Outputs(InvocationOutcome outcome)
    {
        var answered = Assert.IsType<InvocationOutcome.Answered>(outcome);
        InvocationResponse response = WrenProtocol.Unwrap<InvocationResponse>(answered.Envelope).Message!;
        CallResult[] results = [.. response.Results()];
        Assert.All(results, r => Assert.Equal(CallOutcome.Succeeded, r.Outcome));
        return [.. results.Select(r => WrenSerializer.Deserialize<int>(r.Output!))];
    }

    [Fact]
    public async Task WorkerThatKnowsTheKey_DoesNotReadTheList()
    {
        await using var pool = new LocalWorkerPool(1, 256, TimeProvider.System);
        int[] first = Outputs(await InvokeAsync(pool, Request(_code.Key, _code.List, 1, 2)));

        // Bytes that are no MessagePack at all: read, they would fail the invocation.
        int[] same = Outputs(await InvokeAsync(pool, Request(_code.Key, [0xC1, 0xC1], 3, 4, 5)));
        int[] other = Outputs(await InvokeAsync(pool, Request(_other, _code.Key, [0xC1, 0xC1], 3, 4)));

        Assert.Equal(_code.Key, CodeManifest.Of(_other.Code.Select(c => new CodeFile(c.Name, c.Hash))).Key);
        Assert.Equal([3, 6], first);
        Assert.Equal([9, 12, 15], same);
        Assert.Equal([103, 104], other);
    }

    [Fact]
    public async Task ListThatDoesNotMatchItsKey_IsRefusedBeforeAnythingLoads()
    {
        string otherKey = new('0', 64);

        await using var pool = new LocalWorkerPool(1, 256, TimeProvider.System);

        var rejected = Assert.IsType<InvocationOutcome.Rejected>(await InvokeAsync(pool, Request(otherKey, _code.List, 1)));

        Assert.Equal(WorkerErrors.WorkerError, rejected.ErrorType);
        Assert.Equal($"WrenException: The invocation's code list hashes to {_code.Key}, not to its key {otherKey}: the request was damaged on its way, or made by a client that is not Wren's.", rejected.Message);
        // The worker is still there, and runs the next invocation with the right key.
        int[] next = Outputs(await InvokeAsync(pool, Request(_code.Key, _code.List, 7)));
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
