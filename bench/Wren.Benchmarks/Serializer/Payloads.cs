using System.Text.Json;
using Google.Protobuf;
using MessagePack;
using MessagePack.Resolvers;
using Wren.Serialization;

namespace Wren.Benchmarks.Serializer;

/// <summary>
/// The three cases in the form each library works with (plain .NET objects for Wren, System.Text.Json and
/// MessagePack-CSharp, protobuf message objects for Google.Protobuf, holding the same values), and each library's
/// serialized bytes of them.
/// </summary>
public sealed class Payloads
{
    private static readonly Lazy<Payloads> SharedInstance = new(Create);

    /// <summary>MessagePack-CSharp's contractless resolver (no attributes on the types) with its other defaults.</summary>
    public static readonly MessagePackSerializerOptions MessagePackOptions = MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);

    /// <summary>Wren asked for raw blocks: the doubles as one block of their little-endian bytes (Wren reads it, no one else).</summary>
    public static readonly WrenSerializerOptions WrenRawBlocks = new() { RawBlocks = true };

    private Payloads(Counters counters, Order order, double[] doubles)
    {
        Counters = counters;
        Order = order;
        Doubles = doubles;
        CountersMessage = ProtoMapping.ToMessage(counters);
        OrderMessage = ProtoMapping.ToMessage(order);
        DoublesMessage = ProtoMapping.ToMessage(doubles);

        CountersJson = JsonSerializer.SerializeToUtf8Bytes(counters);
        CountersWren = WrenSerializer.Serialize(counters);
        CountersProto = CountersMessage.ToByteArray();
        OrderJson = JsonSerializer.SerializeToUtf8Bytes(order);
        OrderWren = WrenSerializer.Serialize(order);
        OrderProto = OrderMessage.ToByteArray();
        DoublesJson = JsonSerializer.SerializeToUtf8Bytes(doubles);
        DoublesWren = WrenSerializer.Serialize(doubles);
        DoublesProto = DoublesMessage.ToByteArray();
        DoublesWrenRaw = WrenSerializer.Serialize(doubles, WrenRawBlocks);

        CountersMessagePack = MessagePackSerializer.Serialize(counters, MessagePackOptions);
        OrderMessagePack = MessagePackSerializer.Serialize(order, MessagePackOptions);
        DoublesMessagePack = MessagePackSerializer.Serialize(doubles, MessagePackOptions);
    }

    /// <summary>One instance for code outside the measured process (the summary's columns).</summary>
    public static Payloads Shared => SharedInstance.Value;

    public Counters Counters { get; }

    public Order Order { get; }

    public double[] Doubles { get; }

    public CountersMessage CountersMessage { get; }

    public OrderMessage OrderMessage { get; }

    public DoublesMessage DoublesMessage { get; }

    public byte[] CountersJson { get; }

    public byte[] CountersWren { get; }

    public byte[] CountersProto { get; }

    public byte[] OrderJson { get; }

    public byte[] OrderWren { get; }

    public byte[] OrderProto { get; }

    public byte[] DoublesJson { get; }

    public byte[] DoublesWren { get; }

    public byte[] DoublesProto { get; }

    public byte[] DoublesWrenRaw { get; }

    public byte[] CountersMessagePack { get; }

    public byte[] OrderMessagePack { get; }

    public byte[] DoublesMessagePack { get; }

    public static Payloads Create() => new(SampleData.Counters(), SampleData.Order(), SampleData.LargeArray());

    /// <summary>
    /// The serialized bytes of one case ("Ints", "Order", "Doubles") by one library ("Json", "Wren", "WrenRaw",
    /// "Protobuf", "MessagePack"; "MemoryCopy" copies the raw block).
    /// </summary>
    public byte[] Bytes(string caseName, string library) => (caseName, library) switch
    {
        ("Ints", "Json") => CountersJson,
        ("Ints", "Wren") => CountersWren,
        ("Ints", "Protobuf") => CountersProto,
        ("Ints", "MessagePack") => CountersMessagePack,
        ("Order", "Json") => OrderJson,
        ("Order", "Wren") => OrderWren,
        ("Order", "Protobuf") => OrderProto,
        ("Order", "MessagePack") => OrderMessagePack,
        ("Doubles", "Json") => DoublesJson,
        ("Doubles", "Wren") => DoublesWren,
        ("Doubles", "WrenRaw") => DoublesWrenRaw,
        ("Doubles", "MemoryCopy") => DoublesWrenRaw,
        ("Doubles", "Protobuf") => DoublesProto,
        ("Doubles", "MessagePack") => DoublesMessagePack,
        _ => throw new ArgumentException($"no payload for case '{caseName}' and library '{library}'"),
    };
}

/// <summary>Copies between the .NET model types and the protobuf messages.</summary>
public static class ProtoMapping
{
    public static CountersMessage ToMessage(Counters value) => new()
    {
        Id = value.Id,
        Count = value.Count,
        Year = value.Year,
        Offset = value.Offset,
        Temperature = value.Temperature,
        Flags = value.Flags,
        Population = value.Population,
        Checksum = value.Checksum,
        Port = value.Port,
    };

    public static OrderMessage ToMessage(Order value)
    {
        var message = new OrderMessage
        {
            Id = value.Id,
            Customer = value.Customer,
            Notes = value.Notes,
            ShipTo = new AddressMessage
            {
                Street = value.ShipTo.Street,
                City = value.ShipTo.City,
                PostalCode = value.ShipTo.PostalCode,
                Country = value.ShipTo.Country,
                Floor = value.ShipTo.Floor,
            },
        };
        message.Readings.Add(value.Readings);
        return message;
    }

    public static DoublesMessage ToMessage(double[] values)
    {
        var message = new DoublesMessage();
        message.Values.Add(values);
        return message;
    }

    public static Counters ToModel(CountersMessage message) => new()
    {
        Id = message.Id,
        Count = message.Count,
        Year = message.Year,
        Offset = message.Offset,
        Temperature = message.Temperature,
        Flags = message.Flags,
        Population = message.Population,
        Checksum = message.Checksum,
        Port = message.Port,
    };

    public static Order ToModel(OrderMessage message)
    {
        AddressMessage shipTo = message.ShipTo ?? new AddressMessage();
        return new Order(message.Id, message.Customer, message.Notes, [.. message.Readings],
            new Address(shipTo.Street, shipTo.City, shipTo.PostalCode, shipTo.Country, shipTo.Floor));
    }
}
