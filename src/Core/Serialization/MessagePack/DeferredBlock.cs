using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Wren.Serialization.MessagePack;

/// <summary>
/// Bytes that <see cref="MessagePackWriter"/> produces from an array only when it copies its output: they go at
/// <paramref name="Offset"/> of the writer's buffer, <paramref name="Length"/> of them, made from
/// <paramref name="Source"/> from byte <paramref name="SourceOffset"/> on as <paramref name="How"/> says.
/// </summary>
internal readonly record struct DeferredBlock(int Offset, Array Source, int SourceOffset, int Length, DeferredBlock.Conversion How)
{
    private const int ChunkSize = 1024 * 1024;

    public enum Conversion : byte
    {
        /// <summary>The source's bytes as they are.</summary>
        Copy,

        /// <summary>The source's doubles as MessagePack float64 values (<see cref="Float64Records"/>).</summary>
        Float64Records,
    }

    private ReadOnlySpan<byte> SourceBytes(int byteCount) =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Source), SourceOffset), byteCount);

    private ReadOnlySpan<double> Doubles => MemoryMarshal.Cast<byte, double>(SourceBytes(Length / Float64Records.RecordSize * sizeof(double)));

    /// <summary>Produces the block into <paramref name="destination"/>, which has exactly <see cref="Length"/> bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (How == Conversion.Copy) SourceBytes(Length).CopyTo(destination);
        else MessagePack.Float64Records.Write(Doubles, destination);
    }

    /// <summary>Produces the block into <paramref name="destination"/>, in chunks of at most a megabyte.</summary>
    public void WriteTo(IBufferWriter<byte> destination)
    {
        if (How == Conversion.Copy)
        {
            Append(destination, SourceBytes(Length));
            return;
        }
        ReadOnlySpan<double> values = Doubles;
        Span<byte> one = stackalloc byte[MessagePack.Float64Records.RecordSize];
        while (!values.IsEmpty)
        {
            Span<byte> target = destination.GetSpan(Math.Min(values.Length * MessagePack.Float64Records.RecordSize, ChunkSize));
            int count = Math.Min(values.Length, target.Length / MessagePack.Float64Records.RecordSize);
            if (count == 0)
            {
                // A writer that hands out less than a value's nine bytes (despite being asked for more) gets them in pieces.
                MessagePack.Float64Records.Write(values[..1], one);
                Append(destination, one);
                values = values[1..];
                continue;
            }
            MessagePack.Float64Records.Write(values[..count], target);
            destination.Advance(count * MessagePack.Float64Records.RecordSize);
            values = values[count..];
        }
    }

    /// <summary>Copies <paramref name="bytes"/> into <paramref name="destination"/>, in chunks of at most a megabyte.</summary>
    public static void Append(IBufferWriter<byte> destination, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            Span<byte> target = destination.GetSpan(Math.Min(bytes.Length, ChunkSize));
            int count = Math.Min(target.Length, bytes.Length);
            bytes[..count].CopyTo(target);
            destination.Advance(count);
            bytes = bytes[count..];
        }
    }
}
