using System.Buffers;
using System.Text.Json;
using Google.Protobuf;
using MessagePack;
using Wren.Serialization;

namespace Wren.Benchmarks.Serializer;

/// <summary>
/// Checks that every library reads back exactly what it wrote, and that the hand-written protobuf messages produce the
/// bytes protoc's code would: each message is encoded a second time, independently, from field numbers and wire types
/// through Google.Protobuf's own <see cref="CodedOutputStream"/> primitives, and the two encodings must be identical.
/// </summary>
public static class RoundTripCheck
{
    /// <summary>Runs every check; returns one line per check, prefixed "ok" or "FAIL".</summary>
    public static List<(string Name, bool Passed, string Detail)> Run(Payloads p)
    {
        var results = new List<(string, bool, string)>();

        void Check(string name, Func<bool> passes, Func<string>? detail = null)
        {
            bool passed;
            string message = "";
            try
            {
                passed = passes();
                if (!passed && detail is not null) message = detail();
            }
            catch (Exception e)
            {
                passed = false;
                message = $"{e.GetType().Name}: {e.Message}";
            }
            results.Add((name, passed, message));
        }

        Check("Ints: Wren round trip", () => Same(p.Counters, WrenSerializer.Deserialize<Counters>(p.CountersWren)));
        Check("Ints: System.Text.Json round trip", () => Same(p.Counters, JsonSerializer.Deserialize<Counters>(p.CountersJson)!));
        Check("Ints: MessagePack-CSharp round trip", () => Same(p.Counters, MessagePackSerializer.Deserialize<Counters>(p.CountersMessagePack, Payloads.MessagePackOptions)));
        Check("Ints: Wren and MessagePack-CSharp read each other", () =>
            Same(p.Counters, WrenSerializer.Deserialize<Counters>(p.CountersMessagePack)) && Same(p.Counters, MessagePackSerializer.Deserialize<Counters>(p.CountersWren, Payloads.MessagePackOptions)));
        Check("Ints: protobuf round trip", () => Same(p.Counters, ProtoMapping.ToModel(CountersMessage.Parser.ParseFrom(p.CountersProto))));
        Check("Ints: protobuf message equality", () => p.CountersMessage.Equals(CountersMessage.Parser.ParseFrom(p.CountersProto)));
        Check("Ints: protobuf bytes match an independent encoding", () => p.CountersProto.AsSpan().SequenceEqual(ExpectedProto(p.Counters)),
            () => $"got {Convert.ToHexString(p.CountersProto)}, expected {Convert.ToHexString(ExpectedProto(p.Counters))}");

        Check("Order: Wren round trip", () => Same(p.Order, WrenSerializer.Deserialize<Order>(p.OrderWren)));
        Check("Order: System.Text.Json round trip", () => Same(p.Order, JsonSerializer.Deserialize<Order>(p.OrderJson)!));
        Check("Order: MessagePack-CSharp round trip", () => Same(p.Order, MessagePackSerializer.Deserialize<Order>(p.OrderMessagePack, Payloads.MessagePackOptions)));
        Check("Order: Wren and MessagePack-CSharp read each other", () =>
            Same(p.Order, WrenSerializer.Deserialize<Order>(p.OrderMessagePack)) && Same(p.Order, MessagePackSerializer.Deserialize<Order>(p.OrderWren, Payloads.MessagePackOptions)));
        Check("Order: protobuf round trip", () => Same(p.Order, ProtoMapping.ToModel(OrderMessage.Parser.ParseFrom(p.OrderProto))));
        Check("Order: protobuf message equality", () => p.OrderMessage.Equals(OrderMessage.Parser.ParseFrom(p.OrderProto)));
        Check("Order: protobuf bytes match an independent encoding", () => p.OrderProto.AsSpan().SequenceEqual(ExpectedProto(p.Order, packed: true)),
            () => $"got {p.OrderProto.Length} bytes, expected {ExpectedProto(p.Order, packed: true).Length}");
        Check("Order: protobuf reads unpacked readings too", () => Same(p.Order, ProtoMapping.ToModel(OrderMessage.Parser.ParseFrom(ExpectedProto(p.Order, packed: false)))));

        Check("Doubles: Wren round trip", () => p.Doubles.AsSpan().SequenceEqual(WrenSerializer.Deserialize<double[]>(p.DoublesWren)));
        Check("Doubles: Wren with raw blocks round trip", () => p.Doubles.AsSpan().SequenceEqual(WrenSerializer.Deserialize<double[]>(p.DoublesWrenRaw, Payloads.WrenRawBlocks)));
        Check("Doubles: Wren's default is a standard array of float64 (9 bytes a value plus a 5-byte header)", () => p.DoublesWren.Length == 5 + 9 * p.Doubles.Length && p.DoublesWren[0] == 0xdd && p.DoublesWren[5] == 0xcb,
            () => $"got {p.DoublesWren.Length} bytes starting {Convert.ToHexString(p.DoublesWren, 0, Math.Min(6, p.DoublesWren.Length))}");
        Check("Doubles: MessagePack-CSharp round trip", () => p.Doubles.AsSpan().SequenceEqual(MessagePackSerializer.Deserialize<double[]>(p.DoublesMessagePack, Payloads.MessagePackOptions)));
        Check("Doubles: Wren and MessagePack-CSharp read each other", () =>
            p.Doubles.AsSpan().SequenceEqual(WrenSerializer.Deserialize<double[]>(p.DoublesMessagePack))
            && p.Doubles.AsSpan().SequenceEqual(MessagePackSerializer.Deserialize<double[]>(p.DoublesWren, Payloads.MessagePackOptions)));
        Check("Doubles: System.Text.Json round trip", () => p.Doubles.AsSpan().SequenceEqual(JsonSerializer.Deserialize<double[]>(p.DoublesJson)));
        Check("Doubles: protobuf round trip", () => p.Doubles.SequenceEqual(DoublesMessage.Parser.ParseFrom(p.DoublesProto).Values));
        Check("Doubles: protobuf bytes match an independent encoding", () => p.DoublesProto.AsSpan().SequenceEqual(ExpectedProto(p.Doubles)),
            () => $"got {p.DoublesProto.Length} bytes, expected {ExpectedProto(p.Doubles).Length}");
        Check("Doubles: protobuf payload is packed (8 bytes a value plus tag and length)", () => p.DoublesProto.Length == 1 + CodedOutputStream.ComputeLengthSize(p.Doubles.Length * 8) + p.Doubles.Length * 8);

        ArrayBufferWriter<byte> buffer = BufferWrites.NewBuffer(p);
        using var json = new Utf8JsonWriter(buffer);
        void SameInBuffer(string library, Func<int> write, byte[] expected) =>
            Check($"Doubles: {library} writes the same bytes into a reused buffer as into a new array, twice", () =>
                write() == expected.Length && buffer.WrittenSpan.SequenceEqual(expected) && write() == expected.Length && buffer.WrittenSpan.SequenceEqual(expected),
                () => $"wrote {buffer.WrittenCount} bytes, expected {expected.Length}");
        SameInBuffer("System.Text.Json", () => BufferWrites.Json(buffer, json, p), p.DoublesJson);
        SameInBuffer("Wren", () => BufferWrites.Wren(buffer, p), p.DoublesWren);
        SameInBuffer("Wren with raw blocks", () => BufferWrites.WrenRaw(buffer, p), p.DoublesWrenRaw);
        SameInBuffer("protobuf", () => BufferWrites.Protobuf(buffer, p), p.DoublesProto);
        SameInBuffer("MessagePack-CSharp", () => BufferWrites.MessagePack(buffer, p), p.DoublesMessagePack);
        SameInBuffer("one memory copy", () => BufferWrites.MemoryCopy(buffer, p), p.DoublesWrenRaw);

        return results;
    }

    /// <summary>Throws when any check fails, so that a benchmark never measures a broken serializer.</summary>
    public static void ThrowIfBroken(Payloads p)
    {
        string[] failures = [.. Run(p).Where(r => !r.Passed).Select(r => $"{r.Name} {r.Detail}".Trim())];
        if (failures.Length > 0) throw new InvalidOperationException("Round-trip check failed: " + string.Join("; ", failures));
    }

    private static bool Same(Counters a, Counters b) =>
        (a.Id, a.Count, a.Year, a.Offset, a.Temperature, a.Flags, a.Population, a.Checksum, a.Port)
        == (b.Id, b.Count, b.Year, b.Offset, b.Temperature, b.Flags, b.Population, b.Checksum, b.Port);

    private static bool Same(Order a, Order b) =>
        a.Id == b.Id && a.Customer == b.Customer && a.Notes == b.Notes && a.Readings.SequenceEqual(b.Readings) && a.ShipTo == b.ShipTo;

    private static byte[] Encode(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        using var output = new CodedOutputStream(stream, leaveOpen: true);
        write(output);
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] ExpectedProto(Counters c) => Encode(output =>
    {
        int[] values = [c.Id, c.Count, c.Year, c.Offset, c.Temperature, c.Flags, c.Population, c.Checksum, c.Port];
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] == 0) continue;
            output.WriteTag(i + 1, WireFormat.WireType.Varint);
            output.WriteInt32(values[i]);
        }
    });

    private static byte[] ExpectedProto(Address a) => Encode(output =>
    {
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteString(a.Street);
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteString(a.City);
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteString(a.PostalCode);
        output.WriteTag(4, WireFormat.WireType.LengthDelimited);
        output.WriteString(a.Country);
        output.WriteTag(5, WireFormat.WireType.Varint);
        output.WriteInt32(a.Floor);
    });

    private static byte[] ExpectedProto(Order o, bool packed) => Encode(output =>
    {
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteString(o.Id);
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteString(o.Customer);
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteString(o.Notes);
        if (packed)
        {
            output.WriteTag(4, WireFormat.WireType.LengthDelimited);
            output.WriteLength(o.Readings.Count * sizeof(double));
            foreach (double d in o.Readings) output.WriteDouble(d);
        }
        else
        {
            foreach (double d in o.Readings)
            {
                output.WriteTag(4, WireFormat.WireType.Fixed64);
                output.WriteDouble(d);
            }
        }
        output.WriteTag(5, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(ExpectedProto(o.ShipTo)));
    });

    private static byte[] ExpectedProto(double[] values) => Encode(output =>
    {
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteLength(values.Length * sizeof(double));
        foreach (double d in values) output.WriteDouble(d);
    });
}
