using System.Buffers;
using System.Text.Json;
using Wren.Serialization;

namespace Wren.Protocol;

/// <summary>
/// What client and worker say to each other. Lambda carries JSON, so every message is a small JSON envelope,
/// <c>{"wren": version, "payload": base64 of a MessagePack message}</c>; the envelope never changes, so a worker can
/// always read the version and refuse a client it does not speak. Where nothing but Wren carries the bytes (the local
/// backend's Runtime API), the envelope may be binary instead (<see cref="WrapBinary{T}"/>): a zero byte, "WRN", the
/// version as a little-endian int, then the MessagePack message, with no base64 to encode and decode. A zero byte
/// never starts JSON, so a reader tells the two apart, and a worker answers in the form it was asked in.
/// </summary>
internal static class WrenProtocol
{
    /// <summary>The version of the messages inside the envelope; bump it whenever they change.</summary>
    public const int Version = 4;

    private static readonly WrenSerializerOptions Options = new() { AllowedAssemblies = [typeof(WrenProtocol).Assembly], RawBlocks = true };

    /// <summary>A part of a message kept as bytes of its own (<see cref="CodeManifest"/>), in the messages' options.</summary>
    public static byte[] Serialize<T>(T value) => WrenSerializer.Serialize(value, Options);

    /// <summary>Reads what <see cref="Serialize{T}"/> wrote.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> bytes) => WrenSerializer.Deserialize<T>(bytes, Options);

    public static byte[] Wrap<T>(T message)
    {
        byte[] payload = WrenSerializer.Serialize(message, Options);
        var buffer = new ArrayBufferWriter<byte>(payload.Length * 4 / 3 + 64);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("wren", Version);
            json.WriteBase64String("payload", payload);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static ReadOnlySpan<byte> BinaryMagic => [0, (byte)'W', (byte)'R', (byte)'N'];

    private const int BinaryHeaderBytes = 8;

    /// <summary>The binary envelope: <c>\0WRN</c>, the version (little-endian int), the MessagePack message.</summary>
    public static byte[] WrapBinary<T>(T message)
    {
        // The message in one array of its size, the header in front: a chunk's request or response is tens of KB, and
        // a buffer grown by doubling and then copied out allocated three times that.
        byte[] envelope = WrenSerializer.Serialize(message, BinaryHeaderBytes, Options);
        WriteBinaryHeader(envelope);
        return envelope;
    }

    /// <summary>
    /// Writes <paramref name="message"/> in a binary envelope into <paramref name="destination"/>, as
    /// <see cref="WrapBinary{T}"/> makes it: for a writer that keeps its buffer from one message to the next (a worker
    /// answers one invocation after another), so that an answer of tens of KB costs no new array.
    /// </summary>
    public static void WriteBinary<T>(IBufferWriter<byte> destination, T message)
    {
        WriteBinaryHeader(destination.GetSpan(BinaryHeaderBytes));
        destination.Advance(BinaryHeaderBytes);
        WrenSerializer.Serialize(destination, message, Options);
    }

    /// <summary>The binary envelope's header: the magic bytes, then the version.</summary>
    private static void WriteBinaryHeader(Span<byte> header)
    {
        BinaryMagic.CopyTo(header);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header[4..], Version);
    }

    /// <summary>Whether <paramref name="envelope"/> is a binary envelope (else it is JSON).</summary>
    public static bool IsBinary(ReadOnlySpan<byte> envelope) => envelope.StartsWith(BinaryMagic);

    /// <summary>Wraps <paramref name="message"/> in the same form as <paramref name="asked"/>, the envelope it answers.</summary>
    public static byte[] WrapLike<T>(ReadOnlySpan<byte> asked, T message) => IsBinary(asked) ? WrapBinary(message) : Wrap(message);

    /// <summary>
    /// What to say when the deployed runtime and the client speak different versions, from either side: the runtime's
    /// version, the client's, and the command that deploys the runtime (<c>wren deploy-lambda</c> or <c>wren deploy-batch</c>).
    /// </summary>
    public static string MismatchMessage(int runtimeVersion, int clientVersion, string deployCommand) => runtimeVersion < clientVersion
        ? $"The deployed Wren runtime speaks protocol {runtimeVersion} and this client speaks {clientVersion}: run `{deployCommand}` to deploy the runtime that matches this client"
        : $"The deployed Wren runtime speaks protocol {runtimeVersion} and this client speaks {clientVersion}: update the Wren package in your app, or deploy the runtime that matches this client with its own `{deployCommand}`";

    /// <summary>Reads an envelope's version and, when it is ours, its message.</summary>
    public static (int Version, T? Message) Unwrap<T>(ReadOnlySpan<byte> envelope) where T : class
    {
        if (IsBinary(envelope))
        {
            if (envelope.Length < BinaryHeaderBytes) throw new WrenException("The message is a binary Wren envelope cut short before its version.");
            int binaryVersion = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(envelope[4..]);
            return binaryVersion == Version ? (binaryVersion, WrenSerializer.Deserialize<T>(envelope[BinaryHeaderBytes..], Options)) : (binaryVersion, null);
        }
        int version = 0;
        byte[]? payload = null;
        try
        {
            var json = new Utf8JsonReader(envelope);
            while (json.Read())
            {
                if (json.TokenType != JsonTokenType.PropertyName || json.CurrentDepth != 1) continue;
                if (json.ValueTextEquals("wren"))
                {
                    json.Read();
                    version = json.GetInt32();
                }
                else if (json.ValueTextEquals("payload"))
                {
                    json.Read();
                    payload = json.GetBytesFromBase64();
                }
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new WrenException($"The message is not a Wren envelope ({e.Message}); was this function invoked by something other than Wren?", e);
        }
        if (version == 0 || payload is null)
            throw new WrenException("The message is not a Wren envelope: it has no \"wren\" version or no \"payload\"; was this function invoked by something other than Wren?");
        return version == Version ? (version, WrenSerializer.Deserialize<T>(payload, Options)) : (version, null);
    }
}
