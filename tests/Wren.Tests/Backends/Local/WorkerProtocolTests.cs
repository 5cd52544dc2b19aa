using System.Text;
using Wren.Backends;

namespace Wren.Tests.Backends.Local;

/// <summary>A real worker, sent envelopes it must refuse: another protocol version, or something that is not Wren's.</summary>
[Trait("Category", "Slow")]
public sealed class WorkerProtocolTests(LocalExecutorFixture fixture) : IClassFixture<LocalExecutorFixture>
{
    private async Task<InvocationOutcome> InvokeAsync(string envelope) =>
        await fixture.Executor.ComputeBackend.InvokeAsync(Encoding.UTF8.GetBytes(envelope), new InvocationSettings(512, TimeSpan.FromSeconds(30), 1), () => { }, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(90));

    [Fact]
    public async Task NewerClient_IsRefusedWithWhatToDeploy()
    {
        var rejected = Assert.IsType<InvocationOutcome.Rejected>(await InvokeAsync($$"""{"wren":{{Wren.Protocol.WrenProtocol.Version + 1}},"payload":"AA=="}"""));
        Assert.Equal("Wren.ProtocolMismatch", rejected.ErrorType);
        Assert.Equal($"The deployed Wren runtime speaks protocol {Wren.Protocol.WrenProtocol.Version} and this client speaks {Wren.Protocol.WrenProtocol.Version + 1}: run `wren deploy-lambda` to deploy the runtime that matches this client", rejected.Message);
    }

    [Fact]
    public async Task NotAWrenEnvelope_IsRefusedAsInvalid()
    {
        var rejected = Assert.IsType<InvocationOutcome.Rejected>(await InvokeAsync("""{"hello":"world"}"""));
        Assert.Equal("Wren.InvalidRequest", rejected.ErrorType);
        Assert.Contains("not a Wren envelope", rejected.Message);
    }
}
