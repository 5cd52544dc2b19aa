using Wren.Protocol;
using Wren.Serialization;
using Wren.Shipping;
using Wren.Storage;

namespace Wren.Tests.Backends.Local;

/// <summary>
/// What a real worker needs for invocations of <c>x =&gt; x * 3</c> (and of <c>x =&gt; x + 100</c>, of the same code): the
/// function's code stored in a folder of its own, and requests made as a client makes them.
/// </summary>
internal sealed class RealInvocation : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "wren-tests", $"invocation-{Guid.NewGuid():N}");

    private RealInvocation(CapturedFunction triple, CapturedFunction plus100)
    {
        Triple = triple;
        Plus100 = plus100;
        Code = CodeManifest.Of(triple.Code.Select(c => new CodeFile(c.Name, c.Hash)));
    }

    public CapturedFunction Triple { get; }

    public CapturedFunction Plus100 { get; }

    public CodeManifest Code { get; }

    public static async Task<RealInvocation> CreateAsync()
    {
        var made = new RealInvocation(
            FunctionCapture.Capture(new Func<int, int>(x => x * 3), typeof(int), typeof(int)),
            FunctionCapture.Capture(new Func<int, int>(x => x + 100), typeof(int), typeof(int)));
        using var storage = new FileStorage(made._folder);
        await new CodeUploader(storage, "p").EnsureStoredAsync(made.Triple.Code);
        return made;
    }

    /// <summary>A request for <paramref name="function"/> (by default <see cref="Triple"/>) on these inputs.</summary>
    public InvocationRequest Request(int[] inputs, CapturedFunction? function = null, string? codeKey = null, byte[]? codeList = null)
    {
        byte[][] data = [.. inputs.Select(i => WrenSerializer.Serialize(i))];
        return new InvocationRequest
        {
            ExecutorId = "e1",
            JobId = "M0001",
            Storage = StorageLocation.ForFolder(_folder) with { Prefix = "p" },
            Function = (function ?? Triple).Bytes,
            CodeKey = codeKey ?? Code.Key,
            CodeList = codeList ?? Code.List,
            CallIds = [.. Enumerable.Range(0, inputs.Length)],
            Data = [.. data.SelectMany(d => d)],
            InputLengths = [.. data.Select(d => d.Length)],
            Parallelism = 1,
        };
    }

    /// <summary>The outputs of a worker's answer to a request of <see cref="Request"/>, every call having succeeded.</summary>
    public static int[] Outputs(byte[] envelope)
    {
        InvocationResponse response = WrenProtocol.Unwrap<InvocationResponse>(envelope).Message!;
        CallResult[] results = [.. response.Results([.. Enumerable.Range(0, response.Count)])];
        Assert.All(results, r => Assert.Equal(CallOutcome.Succeeded, r.Outcome));
        return [.. results.Select(r => WrenSerializer.Deserialize<int>(r.Output!))];
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
