using Wren.Serialization;

namespace Wren.Tests.Serialization;

/// <summary>
/// Members of fixed-size types (bool, the integers, char, float, double) are written in runs by the generated code,
/// after one check for room: the bytes must be what each value's own formatter writes, between the keys, whatever
/// breaks the runs.
/// </summary>
public sealed class FixedSizeMemberTests
{
    public enum Shade : ushort { Light = 1, Dark = 40000 }

    public sealed record Primitives(
        bool Flag, byte Small, sbyte Signed, short Short, ushort Unsigned, char Letter, string? Name, int Int, uint UInt,
        long Long, ulong ULong, Shade Shade, float Single, double Double, double Whole, string? Tail);

    public static TheoryData<Primitives> Values() =>
    [
        new(true, 0, 0, 0, 0, '\0', "", 0, 0, 0, 0, Shade.Light, 0f, 0.0, 1.0, null),
        new(false, byte.MaxValue, sbyte.MinValue, short.MinValue, ushort.MaxValue, char.MaxValue, "é", int.MinValue, uint.MaxValue,
            long.MinValue, ulong.MaxValue, Shade.Dark, float.MaxValue, double.MaxValue, -0.0, "tail"),
        new(true, 127, -32, -33, 128, 'x', null, int.MaxValue, 4_294_967_295u, long.MaxValue, 9_223_372_036_854_775_808UL, Shade.Light,
            float.NaN, double.NaN, double.NegativeInfinity, "t"),
        new(false, 128, -128, 32_767, 65_535, 'ж', "a name long enough not to be a fixstr at all", -129, 65_536, 4_294_967_296L,
            255, (Shade)7, float.Epsilon, 0.1, 16_777_217.0, new string('z', 300)),
    ];

    [Theory]
    [MemberData(nameof(Values))]
    public void Record_IsEachMembersOwnEncodingAfterItsKey_AndRoundTrips(Primitives value)
    {
        byte[] expected =
        [
            0xde, 0x00, 16,
            .. Member("Flag", value.Flag), .. Member("Small", value.Small), .. Member("Signed", value.Signed), .. Member("Short", value.Short),
            .. Member("Unsigned", value.Unsigned), .. Member("Letter", value.Letter), .. Member("Name", value.Name), .. Member("Int", value.Int),
            .. Member("UInt", value.UInt), .. Member("Long", value.Long), .. Member("ULong", value.ULong), .. Member("Shade", value.Shade),
            .. Member("Single", value.Single), .. Member("Double", value.Double), .. Member("Whole", value.Whole), .. Member("Tail", value.Tail),
        ];
        byte[] bytes = WrenSerializer.Serialize(value);

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(bytes));
        Assert.Equal(value, WrenSerializer.Deserialize<Primitives>(bytes));
    }

    [Fact]
    public void Tuple_OfFixedSizeMembers_IsAnArrayOfTheirEncodings()
    {
        var tuple = (byte.MaxValue, -1_000_000, 3_000_000_000u, 1.5f, true);
        byte[] expected =
        [
            0x95, .. WrenSerializer.Serialize(byte.MaxValue), .. WrenSerializer.Serialize(-1_000_000), .. WrenSerializer.Serialize(3_000_000_000u),
            .. WrenSerializer.Serialize(1.5f), .. WrenSerializer.Serialize(true),
        ];
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(WrenSerializer.Serialize(tuple)));
        Assert.Equal(tuple, WrenSerializer.Deserialize<(byte, int, uint, float, bool)>(WrenSerializer.Serialize(tuple)));
    }

    private static byte[] Member<T>(string name, T value) => [.. WrenSerializer.Serialize(name), .. WrenSerializer.Serialize(value)];
}
