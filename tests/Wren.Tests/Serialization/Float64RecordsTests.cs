using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Wren.Serialization.MessagePack;

namespace Wren.Tests.Serialization;

/// <summary>
/// The vectorized float64 conversion against the one-value-at-a-time path, for every length up to past several vector
/// blocks, at every alignment of the values and the records, with the bit patterns that a careless conversion changes.
/// </summary>
public sealed class Float64RecordsTests
{
    private const int MaxLength = 70;
    private const byte Guard = 0x5a;

    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int length = 0; length <= MaxLength; length++) data.Add(length);
        return data;
    }

    private static double[] Values(int count, int seed)
    {
        double[] special = [0.0, -0.0, double.NaN, BitConverter.UInt64BitsToDouble(0x7ff0_0000_0000_0001), BitConverter.UInt64BitsToDouble(0xfff8_dead_beef_0001), double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.MaxValue, 1.0, 0.1];
        var random = new Random(seed);
        var values = new double[count];
        for (int i = 0; i < count; i++)
            values[i] = random.Next(3) == 0 ? special[random.Next(special.Length)] : BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue));
        return values;
    }

    /// <summary>The encoding written out from the specification: 0xcb and the value's bits big-endian.</summary>
    private static byte[] Expected(ReadOnlySpan<double> values)
    {
        var bytes = new byte[values.Length * 9];
        for (int i = 0; i < values.Length; i++)
        {
            bytes[i * 9] = 0xcb;
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(i * 9 + 1), BitConverter.DoubleToUInt64Bits(values[i]));
        }
        return bytes;
    }

    /// <summary>The values copied to <paramref name="byteOffset"/> bytes into a buffer, so that they are misaligned.</summary>
    private static ReadOnlySpan<double> Misaligned(double[] values, int byteOffset)
    {
        var buffer = new byte[values.Length * 8 + byteOffset];
        MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(buffer.AsSpan(byteOffset));
        return MemoryMarshal.Cast<byte, double>(buffer.AsSpan(byteOffset));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Write_AtEveryAlignment_MatchesTheSpecificationAndTheScalarPath_AndWritesNothingPastTheRecords(int length)
    {
        double[] values = Values(length, seed: length);
        byte[] expected = Expected(values);
        for (int sourceOffset = 0; sourceOffset < 8; sourceOffset++)
        {
            for (int destinationOffset = 0; destinationOffset < 4; destinationOffset++)
            {
                ReadOnlySpan<double> source = Misaligned(values, sourceOffset);
                byte[] buffer = [.. Enumerable.Repeat(Guard, destinationOffset + expected.Length + 40)];
                Float64Records.Write(source, buffer.AsSpan(destinationOffset));
                string where = $"{length} values from byte offset {sourceOffset} to byte offset {destinationOffset}";
                Assert.True(buffer.AsSpan(destinationOffset, expected.Length).SequenceEqual(expected), where);
                Assert.All(buffer[..destinationOffset], b => Assert.Equal(Guard, b));
                Assert.All(buffer[(destinationOffset + expected.Length)..], b => Assert.Equal(Guard, b));

                byte[] scalar = new byte[expected.Length];
                Float64Records.WriteScalar(source, scalar);
                Assert.Equal(expected, scalar);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Read_AtEveryAlignment_ReturnsTheValuesBitForBit(int length)
    {
        double[] values = Values(length, seed: 1000 + length);
        byte[] encoded = Expected(values);
        for (int sourceOffset = 0; sourceOffset < 8; sourceOffset++)
        {
            byte[] shifted = new byte[sourceOffset + encoded.Length];
            encoded.CopyTo(shifted, sourceOffset);
            var destination = new double[length + 3];
            Array.Fill(destination, 42.0);

            int read = Float64Records.Read(shifted.AsSpan(sourceOffset), destination.AsSpan(0, length));

            Assert.Equal(length, read);
            Assert.Equal(Bits(values), Bits(destination[..length]));
            Assert.All(destination[length..], d => Assert.Equal(42.0, d));
            var scalar = new double[length];
            Assert.Equal(length, Float64Records.ReadScalar(shifted.AsSpan(sourceOffset), scalar));
            Assert.Equal(Bits(values), Bits(scalar));
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Read_StopsAtTheFirstValueEncodedOtherwise_AndTouchesNothingAfterIt(int length)
    {
        double[] values = Values(length, seed: 2000 + length);
        for (int stop = 0; stop < length; stop++)
        {
            byte[] encoded = Expected(values);
            encoded[stop * 9] = 0xca; // float 32: another encoding of a number, which the caller reads on its own.
            var destination = new double[length];
            Array.Fill(destination, 42.0);

            Assert.Equal(stop, Float64Records.Read(encoded, destination));
            Assert.Equal(Bits(values[..stop]), Bits(destination[..stop]));
            Assert.All(destination[stop..], d => Assert.Equal(42.0, d));
            Assert.Equal(stop, Float64Records.ReadScalar(encoded, new double[length]));
        }
    }

    [Fact]
    public void Read_TakesAsManyAsTheShorterOfSourceAndDestinationHold()
    {
        double[] values = Values(40, seed: 3);
        byte[] encoded = Expected(values);
        var few = new double[13];
        Assert.Equal(13, Float64Records.Read(encoded, few));
        Assert.Equal(Bits(values[..13]), Bits(few));
        // A record cut short is not read: 21 whole records and 5 bytes of the next.
        var many = new double[40];
        Assert.Equal(21, Float64Records.Read(encoded.AsSpan(0, 21 * 9 + 5), many));
        Assert.Equal(Bits(values[..21]), Bits(many[..21]));
    }

    [Fact]
    public void Write_IntoTooShortADestination_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Float64Records.Write(new double[4], new byte[35]));
        Assert.Contains("4 float64 values need 36 bytes, but the destination has 35", error.Message);
    }

    [Fact]
    public void VectorPaths_MatchTheScalarPath_WhereThisMachineHasThem()
    {
        double[] values = Values(64, seed: 4);
        byte[] expected = Expected(values);
        if (Float64Records.IsAccelerated)
        {
            byte[] written = new byte[expected.Length];
            Assert.Equal(64, Float64Records.Write128(values, written));
            Assert.Equal(expected, written);
            var read = new double[64];
            Assert.Equal(64, Float64Records.Read128(expected, read));
            Assert.Equal(Bits(values), Bits(read));
        }
        if (Float64Records.IsAccelerated256)
        {
            byte[] written = new byte[expected.Length];
            Assert.Equal(64, Float64Records.Write256(values, written));
            Assert.Equal(expected, written);
            var read = new double[64];
            Assert.Equal(64, Float64Records.Read256(expected, read));
            Assert.Equal(Bits(values), Bits(read));
        }
    }

    private static ulong[] Bits(ReadOnlySpan<double> values)
    {
        var bits = new ulong[values.Length];
        for (int i = 0; i < values.Length; i++) bits[i] = BitConverter.DoubleToUInt64Bits(values[i]);
        return bits;
    }
}
