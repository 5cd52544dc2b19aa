using System.Text;
using Wren.Protocol;

namespace Wren.Tests.Protocol;

/// <summary>The two envelopes: JSON (what Lambda carries) and binary (the local backend's), read by the same Unwrap.</summary>
public sealed class WrenProtocolTests
{
    private static readonly CodeManifest Code = CodeManifest.Of([new CodeFile("App", "abc")]);

    private static InvocationRequest Request() => new()
    {
        ExecutorId = "e1",
        JobId = "M0001",
        Storage = StorageLocation.ForFolder("/tmp/wren") with { Prefix = "p" },
        CodeKey = Code.Key,
        CodeList = Code.List,
        CallIds = [3, 4, 5],
        Data = [0x01, 0x02, 0x03],
        InputLengths = [1, 1, 1],
        Parallelism = 1,
    };

    [Fact]
    public void WrapBinary_IsReadBackByUnwrap_WithoutJsonOrBase64()
    {
        byte[] binary = WrenProtocol.WrapBinary(Request());

        Assert.True(WrenProtocol.IsBinary(binary));
        Assert.Equal([0, (byte)'W', (byte)'R', (byte)'N', WrenProtocol.Version, 0, 0, 0], binary[..8]);
        (int version, InvocationRequest? read) = WrenProtocol.Unwrap<InvocationRequest>(binary);
        Assert.Equal(WrenProtocol.Version, version);
        Assert.NotNull(read);
        Assert.Equal([3, 4, 5], read.CallIds);
        Assert.Equal([0x01, 0x02, 0x03], read.Data);
        Assert.Equal("p", read.Storage.Prefix);
        // Smaller than the JSON envelope, which carries the same message in base64.
        Assert.True(binary.Length < WrenProtocol.Wrap(Request()).Length);
    }

    [Fact]
    public void WriteBinary_IntoAReusedBuffer_WritesWhatWrapBinaryMakes()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        // A large message first, then a small one over it: the second is exactly its own bytes.
        InvocationRequest large = Request() with { CallIds = [.. Enumerable.Range(0, 50_000)], Data = new byte[100_000] };
        WrenProtocol.WriteBinary(buffer, large);
        Assert.Equal(WrenProtocol.WrapBinary(large), buffer.WrittenSpan.ToArray());
        buffer.ResetWrittenCount();
        WrenProtocol.WriteBinary(buffer, Request());
        Assert.Equal(WrenProtocol.WrapBinary(Request()), buffer.WrittenSpan.ToArray());
        Assert.Equal([3, 4, 5], WrenProtocol.Unwrap<InvocationRequest>(buffer.WrittenSpan).Message!.CallIds);
    }

    [Fact]
    public void WrapLike_AnswersInTheFormItWasAskedIn()
    {
        byte[] json = WrenProtocol.Wrap(Request());
        byte[] binary = WrenProtocol.WrapBinary(Request());

        Assert.False(WrenProtocol.IsBinary(json));
        Assert.StartsWith("{\"wren\":", Encoding.UTF8.GetString(WrenProtocol.WrapLike(json, Request())));
        Assert.True(WrenProtocol.IsBinary(WrenProtocol.WrapLike(binary, Request())));
    }

    [Fact]
    public void Unwrap_BinaryOfAnotherVersion_GivesTheVersionAndNoMessage()
    {
        byte[] binary = WrenProtocol.WrapBinary(Request());
        binary[4] = WrenProtocol.Version + 1;

        (int version, InvocationRequest? read) = WrenProtocol.Unwrap<InvocationRequest>(binary);

        Assert.Equal(WrenProtocol.Version + 1, version);
        Assert.Null(read);
    }

    [Fact]
    public void Unwrap_BinaryCutShort_SaysSo()
    {
        var error = Assert.Throws<WrenException>(() => WrenProtocol.Unwrap<InvocationRequest>(new byte[] { 0, (byte)'W', (byte)'R', (byte)'N', 3 }));
        Assert.Contains("cut short", error.Message);
    }
}
