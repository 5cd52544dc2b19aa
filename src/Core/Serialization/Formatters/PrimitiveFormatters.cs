using System.Globalization;
using System.Numerics;
using Wren.Serialization.MessagePack;

namespace Wren.Serialization.Formatters;

// The standard MessagePack formats for .NET's primitive types; each writes the smallest encoding.

internal sealed class BooleanFormatter : Formatter<bool>
{
    public override void Write(MessagePackWriter writer, bool value, WriteContext context) => writer.WriteBoolean(value);
    public override bool Read(ref MessagePackReader reader, ReadContext context) => reader.ReadBoolean();
}

internal sealed class ByteFormatter : Formatter<byte>
{
    public override void Write(MessagePackWriter writer, byte value, WriteContext context) => writer.WriteInt32(value);
    public override byte Read(ref MessagePackReader reader, ReadContext context) => (byte)reader.ReadInt64(byte.MinValue, byte.MaxValue, "Byte");
}

internal sealed class SByteFormatter : Formatter<sbyte>
{
    public override void Write(MessagePackWriter writer, sbyte value, WriteContext context) => writer.WriteInt32(value);
    public override sbyte Read(ref MessagePackReader reader, ReadContext context) => (sbyte)reader.ReadInt64(sbyte.MinValue, sbyte.MaxValue, "SByte");
}

internal sealed class Int16Formatter : Formatter<short>
{
    public override void Write(MessagePackWriter writer, short value, WriteContext context) => writer.WriteInt32(value);
    public override short Read(ref MessagePackReader reader, ReadContext context) => (short)reader.ReadInt64(short.MinValue, short.MaxValue, "Int16");
}

internal sealed class UInt16Formatter : Formatter<ushort>
{
    public override void Write(MessagePackWriter writer, ushort value, WriteContext context) => writer.WriteInt32(value);
    public override ushort Read(ref MessagePackReader reader, ReadContext context) => (ushort)reader.ReadInt64(ushort.MinValue, ushort.MaxValue, "UInt16");
}

internal sealed class Int32Formatter : Formatter<int>
{
    public override void Write(MessagePackWriter writer, int value, WriteContext context) => writer.WriteInt32(value);
    public override int Read(ref MessagePackReader reader, ReadContext context) => reader.ReadInt32();
}

internal sealed class UInt32Formatter : Formatter<uint>
{
    public override void Write(MessagePackWriter writer, uint value, WriteContext context) => writer.WriteInt64(value);
    public override uint Read(ref MessagePackReader reader, ReadContext context) => (uint)reader.ReadInt64(uint.MinValue, uint.MaxValue, "UInt32");
}

internal sealed class Int64Formatter : Formatter<long>
{
    public override void Write(MessagePackWriter writer, long value, WriteContext context) => writer.WriteInt64(value);
    public override long Read(ref MessagePackReader reader, ReadContext context) => reader.ReadInt64();
}

internal sealed class UInt64Formatter : Formatter<ulong>
{
    public override void Write(MessagePackWriter writer, ulong value, WriteContext context) => writer.WriteUInt64(value);
    public override ulong Read(ref MessagePackReader reader, ReadContext context) => reader.ReadUInt64();
}

internal sealed class NIntFormatter : Formatter<nint>
{
    public override void Write(MessagePackWriter writer, nint value, WriteContext context) => writer.WriteInt64(value);
    public override nint Read(ref MessagePackReader reader, ReadContext context) => (nint)reader.ReadInt64(nint.MinValue, nint.MaxValue, "IntPtr");
}

internal sealed class NUIntFormatter : Formatter<nuint>
{
    public override void Write(MessagePackWriter writer, nuint value, WriteContext context) => writer.WriteUInt64(value);
    public override nuint Read(ref MessagePackReader reader, ReadContext context) => (nuint)reader.ReadUInt64();
}

internal sealed class SingleFormatter : Formatter<float>
{
    public override void Write(MessagePackWriter writer, float value, WriteContext context) => writer.WriteSingle(value);
    public override float Read(ref MessagePackReader reader, ReadContext context) => reader.ReadSingle();
}

internal sealed class DoubleFormatter : Formatter<double>
{
    public override void Write(MessagePackWriter writer, double value, WriteContext context) => writer.WriteDouble(value);
    public override double Read(ref MessagePackReader reader, ReadContext context) => reader.ReadDouble();
}

internal sealed class HalfFormatter : Formatter<Half>
{
    public override void Write(MessagePackWriter writer, Half value, WriteContext context) => writer.WriteSingle((float)value);
    public override Half Read(ref MessagePackReader reader, ReadContext context) => (Half)reader.ReadSingle();
}

internal sealed class CharFormatter : Formatter<char>
{
    public override void Write(MessagePackWriter writer, char value, WriteContext context) => writer.WriteInt32(value);
    public override char Read(ref MessagePackReader reader, ReadContext context) => (char)reader.ReadInt64(char.MinValue, char.MaxValue, "Char");
}

/// <summary>Decimals travel as invariant strings, which keep every digit and the scale (1.50 stays 1.50).</summary>
internal sealed class DecimalFormatter : Formatter<decimal>
{
    public override void Write(MessagePackWriter writer, decimal value, WriteContext context) =>
        writer.WriteString(value.ToString(CultureInfo.InvariantCulture));

    public override decimal Read(ref MessagePackReader reader, ReadContext context)
    {
        int start = reader.Position;
        switch (reader.PeekKind())
        {
            case MessagePackKind.String:
                string text = reader.ReadString()!;
                return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal value)
                    ? value
                    : throw new WrenSerializationException($"the string at byte {start} is not a decimal number");
            case MessagePackKind.Float:
                return (decimal)reader.ReadDouble();
            default:
                return reader.PeekCode() == MessagePackCode.UInt64 ? reader.ReadUInt64() : reader.ReadInt64();
        }
    }
}

internal sealed class StringFormatter : Formatter<string?>
{
    public override void Write(MessagePackWriter writer, string? value, WriteContext context) => writer.WriteString(value);
    public override string? Read(ref MessagePackReader reader, ReadContext context) => reader.ReadString();
}

/// <summary>Big integers that fit in 64 bits are plain integers; larger ones are decimal strings.</summary>
internal sealed class BigIntegerFormatter : Formatter<BigInteger>
{
    public override void Write(MessagePackWriter writer, BigInteger value, WriteContext context)
    {
        if (value >= long.MinValue && value <= long.MaxValue) writer.WriteInt64((long)value);
        else if (value.Sign > 0 && value <= ulong.MaxValue) writer.WriteUInt64((ulong)value);
        else writer.WriteString(value.ToString(CultureInfo.InvariantCulture));
    }

    public override BigInteger Read(ref MessagePackReader reader, ReadContext context)
    {
        int start = reader.Position;
        if (reader.PeekKind() == MessagePackKind.String)
            return BigInteger.TryParse(reader.ReadString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out BigInteger value)
                ? value
                : throw new WrenSerializationException($"the string at byte {start} is not an integer");
        return reader.PeekCode() == MessagePackCode.UInt64 ? reader.ReadUInt64() : reader.ReadInt64();
    }
}

internal sealed class Int128Formatter : Formatter<Int128>
{
    public override void Write(MessagePackWriter writer, Int128 value, WriteContext context) =>
        Builtin.BigInteger.Write(writer, value, context);

    public override Int128 Read(ref MessagePackReader reader, ReadContext context)
    {
        int start = reader.Position;
        BigInteger value = Builtin.BigInteger.Read(ref reader, context);
        return value >= Int128.MinValue && value <= Int128.MaxValue ? (Int128)value : throw new WrenSerializationException($"the number at byte {start} does not fit in Int128");
    }
}

internal sealed class UInt128Formatter : Formatter<UInt128>
{
    public override void Write(MessagePackWriter writer, UInt128 value, WriteContext context) =>
        Builtin.BigInteger.Write(writer, value, context);

    public override UInt128 Read(ref MessagePackReader reader, ReadContext context)
    {
        int start = reader.Position;
        BigInteger value = Builtin.BigInteger.Read(ref reader, context);
        return value >= UInt128.MinValue && value <= UInt128.MaxValue ? (UInt128)value : throw new WrenSerializationException($"the number at byte {start} does not fit in UInt128");
    }
}

internal sealed class ComplexFormatter : Formatter<Complex>
{
    public override void Write(MessagePackWriter writer, Complex value, WriteContext context)
    {
        writer.WriteArrayHeader(2);
        writer.WriteDouble(value.Real);
        writer.WriteDouble(value.Imaginary);
    }

    public override Complex Read(ref MessagePackReader reader, ReadContext context)
    {
        int start = reader.Position;
        if (reader.ReadArrayHeader() != 2) throw new WrenSerializationException($"a Complex at byte {start} must be an array of 2 numbers");
        return new Complex(reader.ReadDouble(), reader.ReadDouble());
    }
}

/// <summary>Raw MessagePack extension values, of any type code.</summary>
internal sealed class ExtensionFormatter : Formatter<MessagePackExtension?>
{
    public override void Write(MessagePackWriter writer, MessagePackExtension? value, WriteContext context)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteExtensionHeader(value.Type, value.Data.Length);
        writer.WriteRaw(value.Data.Span);
    }

    public override MessagePackExtension? Read(ref MessagePackReader reader, ReadContext context)
    {
        if (reader.TryReadNil()) return null;
        sbyte type = reader.ReadExtension(out ReadOnlySpan<byte> payload);
        return new MessagePackExtension(type, payload.ToArray());
    }
}
