using Wren.Serialization;

namespace Wren.Tests.Serialization;

/// <summary>Reading an int takes the short forms after one check for five bytes: they must read the same at the very end of the data.</summary>
public sealed class IntegerReadingTests
{
    [Theory]
    [InlineData("7f", 127)]
    [InlineData("e0", -32)]
    [InlineData("cc ff", 255)]
    [InlineData("cd ff ff", 65535)]
    [InlineData("ce 7f ff ff ff", int.MaxValue)]
    [InlineData("d0 80", -128)]
    [InlineData("d1 80 00", -32768)]
    [InlineData("d2 80 00 00 00", int.MinValue)]
    [InlineData("cf 00 00 00 00 7f ff ff ff", int.MaxValue)]
    [InlineData("d3 ff ff ff ff 80 00 00 00", int.MinValue)]
    [InlineData("cb c0 00 00 00 00 00 00 00", -2)]
    public void Int32_ReadsEveryFormAtTheEndOfTheData_AndInsideAnArray(string hex, int expected)
    {
        byte[] value = Convert.FromHexString(hex.Replace(" ", ""));
        Assert.Equal(expected, WrenSerializer.Deserialize<int>(value));
        Assert.Equal([expected, expected, 1], WrenSerializer.Deserialize<int[]>((byte[])[0x93, .. value, .. value, 0x01]));
    }

    [Theory]
    [InlineData("cc")]
    [InlineData("cd ff")]
    [InlineData("d1 80")]
    [InlineData("d2 80 00 00")]
    public void Int32_Truncated_FailsAsTruncated(string hex) =>
        Assert.Contains("it is truncated", Assert.Throws<WrenSerializationException>(() => WrenSerializer.Deserialize<int>(Convert.FromHexString(hex.Replace(" ", "")))).Message);

    [Theory]
    [InlineData("ce 80 00 00 00", "2147483648")]
    [InlineData("d3 ff ff ff ff 7f ff ff ff", "-2147483649")]
    public void Int32_OutOfRange_FailsWithTheNumber(string hex, string number) =>
        Assert.Contains($"the number {number} at byte 0 does not fit in Int32", Assert.Throws<WrenSerializationException>(() => WrenSerializer.Deserialize<int>(Convert.FromHexString(hex.Replace(" ", "")))).Message);
}
