using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Google.Protobuf;
using MessagePack;
using Wren.Serialization;

namespace Wren.Benchmarks.Serializer;

/// <summary>
/// Wren's serializer against System.Text.Json (the baseline of every category), Google.Protobuf and MessagePack-CSharp
/// (contractless resolver), in one run. Serialize: each library turns its object into a new byte[] of exactly the
/// serialized length (Wren: <c>WrenSerializer.Serialize</c>, STJ: <c>JsonSerializer.SerializeToUtf8Bytes</c>, protobuf:
/// <c>ToByteArray</c>, MessagePack-CSharp: <c>MessagePackSerializer.Serialize</c>). Deserialize: each library reads a
/// new object from bytes it serialized during setup. Wren runs with its default options (standard MessagePack arrays);
/// the doubles case also has Wren with raw blocks (<c>_WrenRaw</c>), and <c>_MemoryCopy</c>, no serializer but the cost of
/// a new array filled by one memory copy, the floor for any serializer that returns a new array on this machine. The
/// doubles are also written into a buffer used again for every call (<c>Doubles.SerializeToBuffer</c>, <see cref="BufferWrites"/>),
/// which is how Wren writes a Map's inputs and a worker its results.
/// Method names are <c>{Case}{Direction}_{Library}</c>; <see cref="WireSizeColumn"/> relies on that.
/// </summary>
[Config(typeof(SerializerConfig))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SerializerBenchmarks : IDisposable
{
    private const long DoublesBytes = SampleData.DoubleCount * sizeof(double);

    private Payloads _p = null!;
    private ArrayBufferWriter<byte> _buffer = null!;
    private Utf8JsonWriter _json = null!;

    [GlobalSetup]
    public void Setup()
    {
        _p = Payloads.Create();
        RoundTripCheck.ThrowIfBroken(_p);
        _buffer = BufferWrites.NewBuffer(_p);
        _json = new Utf8JsonWriter(_buffer);
    }

    // BenchmarkDotNet derives from this class, so it cannot be sealed.
    [GlobalCleanup]
    public void Dispose()
    {
        _json?.Dispose();
        GC.SuppressFinalize(this);
    }

    // (a) nine ints.

    [Benchmark(Baseline = true), BenchmarkCategory("Ints.Serialize")]
    public byte[] IntsSerialize_Json() => JsonSerializer.SerializeToUtf8Bytes(_p.Counters);

    [Benchmark, BenchmarkCategory("Ints.Serialize")]
    public byte[] IntsSerialize_Wren() => WrenSerializer.Serialize(_p.Counters);

    [Benchmark, BenchmarkCategory("Ints.Serialize")]
    public byte[] IntsSerialize_Protobuf() => _p.CountersMessage.ToByteArray();

    [Benchmark, BenchmarkCategory("Ints.Serialize")]
    public byte[] IntsSerialize_MessagePack() => MessagePackSerializer.Serialize(_p.Counters, Payloads.MessagePackOptions);

    [Benchmark(Baseline = true), BenchmarkCategory("Ints.Deserialize")]
    public Counters IntsDeserialize_Json() => JsonSerializer.Deserialize<Counters>(_p.CountersJson.AsSpan())!;

    [Benchmark, BenchmarkCategory("Ints.Deserialize")]
    public Counters IntsDeserialize_Wren() => WrenSerializer.Deserialize<Counters>(_p.CountersWren);

    [Benchmark, BenchmarkCategory("Ints.Deserialize")]
    public CountersMessage IntsDeserialize_Protobuf() => CountersMessage.Parser.ParseFrom(_p.CountersProto.AsSpan());

    [Benchmark, BenchmarkCategory("Ints.Deserialize")]
    public Counters IntsDeserialize_MessagePack() => MessagePackSerializer.Deserialize<Counters>(_p.CountersMessagePack, Payloads.MessagePackOptions);

    // (b) a record with strings, 100 doubles and a nested record.

    [Benchmark(Baseline = true), BenchmarkCategory("Order.Serialize")]
    public byte[] OrderSerialize_Json() => JsonSerializer.SerializeToUtf8Bytes(_p.Order);

    [Benchmark, BenchmarkCategory("Order.Serialize")]
    public byte[] OrderSerialize_Wren() => WrenSerializer.Serialize(_p.Order);

    [Benchmark, BenchmarkCategory("Order.Serialize")]
    public byte[] OrderSerialize_Protobuf() => _p.OrderMessage.ToByteArray();

    [Benchmark, BenchmarkCategory("Order.Serialize")]
    public byte[] OrderSerialize_MessagePack() => MessagePackSerializer.Serialize(_p.Order, Payloads.MessagePackOptions);

    [Benchmark(Baseline = true), BenchmarkCategory("Order.Deserialize")]
    public Order OrderDeserialize_Json() => JsonSerializer.Deserialize<Order>(_p.OrderJson.AsSpan())!;

    [Benchmark, BenchmarkCategory("Order.Deserialize")]
    public Order OrderDeserialize_Wren() => WrenSerializer.Deserialize<Order>(_p.OrderWren);

    [Benchmark, BenchmarkCategory("Order.Deserialize")]
    public OrderMessage OrderDeserialize_Protobuf() => OrderMessage.Parser.ParseFrom(_p.OrderProto.AsSpan());

    [Benchmark, BenchmarkCategory("Order.Deserialize")]
    public Order OrderDeserialize_MessagePack() => MessagePackSerializer.Deserialize<Order>(_p.OrderMessagePack, Payloads.MessagePackOptions);

    // (c) one million doubles (8,000,000 bytes of payload: the GB/s column divides that by the mean).

    [Benchmark(Baseline = true), BenchmarkCategory("Doubles.Serialize"), PayloadBytes(DoublesBytes)]
    public byte[] DoublesSerialize_Json() => JsonSerializer.SerializeToUtf8Bytes(_p.Doubles);

    [Benchmark, BenchmarkCategory("Doubles.Serialize"), PayloadBytes(DoublesBytes)]
    public byte[] DoublesSerialize_Wren() => WrenSerializer.Serialize(_p.Doubles);

    [Benchmark, BenchmarkCategory("Doubles.Serialize"), PayloadBytes(DoublesBytes)]
    public byte[] DoublesSerialize_WrenRaw() => WrenSerializer.Serialize(_p.Doubles, Payloads.WrenRawBlocks);

    [Benchmark, BenchmarkCategory("Doubles.Serialize"), PayloadBytes(DoublesBytes)]
    public byte[] DoublesSerialize_Protobuf() => _p.DoublesMessage.ToByteArray();

    /// <summary>Not a serializer: a new byte[] of the raw block's length filled by one copy, the least that returning a new array costs here.</summary>
    [Benchmark, BenchmarkCategory("Doubles.Serialize"), PayloadBytes(DoublesBytes)]
    public byte[] DoublesSerialize_MemoryCopy()
    {
        byte[] copy = GC.AllocateUninitializedArray<byte>(_p.DoublesWrenRaw.Length);
        _p.DoublesWrenRaw.AsSpan().CopyTo(copy);
        return copy;
    }

    [Benchmark, BenchmarkCategory("Doubles.Serialize"), PayloadBytes(DoublesBytes)]
    public byte[] DoublesSerialize_MessagePack() => MessagePackSerializer.Serialize(_p.Doubles, Payloads.MessagePackOptions);

    // (c) again, written into a buffer used again for every call (BufferWrites), as Wren writes a Map's inputs and results.

    [Benchmark(Baseline = true), BenchmarkCategory("Doubles.SerializeToBuffer"), PayloadBytes(DoublesBytes)]
    public int DoublesSerializeToBuffer_Json() => BufferWrites.Json(_buffer, _json, _p);

    [Benchmark, BenchmarkCategory("Doubles.SerializeToBuffer"), PayloadBytes(DoublesBytes)]
    public int DoublesSerializeToBuffer_Wren() => BufferWrites.Wren(_buffer, _p);

    [Benchmark, BenchmarkCategory("Doubles.SerializeToBuffer"), PayloadBytes(DoublesBytes)]
    public int DoublesSerializeToBuffer_WrenRaw() => BufferWrites.WrenRaw(_buffer, _p);

    [Benchmark, BenchmarkCategory("Doubles.SerializeToBuffer"), PayloadBytes(DoublesBytes)]
    public int DoublesSerializeToBuffer_Protobuf() => BufferWrites.Protobuf(_buffer, _p);

    /// <summary>Not a serializer: one copy of the raw block into the buffer.</summary>
    [Benchmark, BenchmarkCategory("Doubles.SerializeToBuffer"), PayloadBytes(DoublesBytes)]
    public int DoublesSerializeToBuffer_MemoryCopy() => BufferWrites.MemoryCopy(_buffer, _p);

    [Benchmark, BenchmarkCategory("Doubles.SerializeToBuffer"), PayloadBytes(DoublesBytes)]
    public int DoublesSerializeToBuffer_MessagePack() => BufferWrites.MessagePack(_buffer, _p);

    [Benchmark(Baseline = true), BenchmarkCategory("Doubles.Deserialize"), PayloadBytes(DoublesBytes)]
    public double[] DoublesDeserialize_Json() => JsonSerializer.Deserialize<double[]>(_p.DoublesJson.AsSpan())!;

    [Benchmark, BenchmarkCategory("Doubles.Deserialize"), PayloadBytes(DoublesBytes)]
    public double[] DoublesDeserialize_Wren() => WrenSerializer.Deserialize<double[]>(_p.DoublesWren);

    [Benchmark, BenchmarkCategory("Doubles.Deserialize"), PayloadBytes(DoublesBytes)]
    public double[] DoublesDeserialize_WrenRaw() => WrenSerializer.Deserialize<double[]>(_p.DoublesWrenRaw, Payloads.WrenRawBlocks);

    [Benchmark, BenchmarkCategory("Doubles.Deserialize"), PayloadBytes(DoublesBytes)]
    public DoublesMessage DoublesDeserialize_Protobuf() => DoublesMessage.Parser.ParseFrom(_p.DoublesProto.AsSpan());

    /// <summary>Not a serializer: a new double[] filled by one copy of the raw block's doubles, the least that returning a new array costs here.</summary>
    [Benchmark, BenchmarkCategory("Doubles.Deserialize"), PayloadBytes(DoublesBytes)]
    public double[] DoublesDeserialize_MemoryCopy()
    {
        double[] copy = GC.AllocateUninitializedArray<double>(SampleData.DoubleCount);
        MemoryMarshal.Cast<byte, double>(_p.DoublesWrenRaw.AsSpan(_p.DoublesWrenRaw.Length - (int)DoublesBytes)).CopyTo(copy);
        return copy;
    }

    [Benchmark, BenchmarkCategory("Doubles.Deserialize"), PayloadBytes(DoublesBytes)]
    public double[] DoublesDeserialize_MessagePack() => MessagePackSerializer.Deserialize<double[]>(_p.DoublesMessagePack, Payloads.MessagePackOptions);
}
