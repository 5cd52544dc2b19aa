using System.Buffers;
using Wren.Serialization;

namespace Wren.Tests.Serialization;

/// <summary>
/// The typed entry points write and read int, long, double, float and bool without the serializer's state: the bytes
/// must be exactly those of their formatters (reached here through the untyped entry point), and a value of another
/// type must be refused the same way.
/// </summary>
public sealed class PrimitiveValueTests
{
    public static TheoryData<object> Values => new()
    {
        0, 1, 127, 128, 255, 256, 65_535, 65_536, int.MaxValue, -1, -32, -33, -128, -129, -32_768, -32_769, int.MinValue,
        0L, 127L, 128L, 4_294_967_295L, 4_294_967_296L, long.MaxValue, -33L, -2_147_483_648L, -2_147_483_649L, long.MinValue,
        0.0, -0.0, 0.5, 0.1, 1e300, -1e-300, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, (double)float.MaxValue,
        0f, -0f, 0.1f, float.MaxValue, float.NaN, float.NegativeInfinity, float.Epsilon,
        true, false,
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void TypedBytes_AreTheFormattersBytes_AndReadBack(object value)
    {
        byte[] expected = WrenSerializer.Serialize(value, value.GetType());
        byte[] written = value switch
        {
            int i => Typed(i),
            long l => Typed(l),
            double d => Typed(d),
            float f => Typed(f),
            bool b => Typed(b),
            _ => throw new InvalidOperationException(),
        };
        Assert.Equal(expected, written);
        object read = value switch
        {
            int => WrenSerializer.Deserialize<int>(written),
            long => WrenSerializer.Deserialize<long>(written),
            double => WrenSerializer.Deserialize<double>(written),
            float => WrenSerializer.Deserialize<float>(written),
            bool => WrenSerializer.Deserialize<bool>(written),
            _ => throw new InvalidOperationException(),
        };
        Assert.Equal(value, read);
        Assert.Equal(value, WrenSerializer.Deserialize(written, value.GetType()));
    }

    [Fact]
    public void ValueOfAnotherType_IsRefusedAsByTheFormatter()
    {
        byte[] text = WrenSerializer.Serialize("seven");
        var typed = Assert.Throws<WrenSerializationException>(() => WrenSerializer.Deserialize<int>(text));
        var untyped = Assert.Throws<WrenSerializationException>(() => WrenSerializer.Deserialize(text, typeof(int)));
        Assert.Equal(untyped.Message, typed.Message);
    }

    [Fact]
    public void TrailingBytes_AreRefused()
    {
        byte[] two = [.. WrenSerializer.Serialize(1), .. WrenSerializer.Serialize(2)];
        var error = Assert.Throws<WrenSerializationException>(() => WrenSerializer.Deserialize<int>(two));
        Assert.Contains("ends at byte 1 but the data goes on for 1 more bytes", error.Message);
    }

    [Fact]
    public void InvalidOptions_AreRefusedForPrimitivesToo()
    {
        var options = new WrenSerializerOptions { MaxDepth = 0 };
        Assert.Throws<ArgumentException>(() => WrenSerializer.Serialize(new ArrayBufferWriter<byte>(), 1, options));
        Assert.Throws<ArgumentException>(() => WrenSerializer.Deserialize<int>(WrenSerializer.Serialize(1), options));
    }

    private static byte[] Typed<T>(T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WrenSerializer.Serialize(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }
}
