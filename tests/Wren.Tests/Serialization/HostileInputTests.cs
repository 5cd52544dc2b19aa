using Wren.Serialization;

namespace Wren.Tests.Serialization;

public sealed class HostileInputTests
{
    private static WrenSerializationException Fails<T>(params byte[] bytes) =>
        Assert.Throws<WrenSerializationException>(() => WrenSerializer.Deserialize<T>(bytes));

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Fact]
    public void ArrayLongerThanData_FailsBeforeAllocating()
    {
        WrenSerializationException error = Fails<int[]>(Hex("dd 7f ff ff ff 01 02"));
        Assert.Equal("value: an array declares 65535 elements but only 2 bytes remain", Fails<int[]>(Hex("dc ff ff 01 02")).Message);
        Assert.Equal("value: a length of 2147483647 is declared at byte 5 but only 2 bytes remain", error.Message);
    }

    [Fact]
    public void MapLongerThanData_Fails() =>
        Assert.Equal("value: a map declares 65535 entries but only 1 bytes remain", Fails<Dictionary<string, int>>(Hex("de ff ff 01")).Message);

    [Fact]
    public void StringLongerThanData_Fails() =>
        Assert.Equal("value: a length of 4294967295 is declared at byte 5 but only 1 bytes remain", Fails<string>(Hex("db ff ff ff ff 61")).Message);

    [Fact]
    public void BinaryLongerThanData_Fails() =>
        Assert.Equal("value: a length of 200 is declared at byte 2 but only 0 bytes remain", Fails<byte[]>(Hex("c6 00 00 00 c8")).Message.Replace("at byte 5", "at byte 2"));

    [Fact]
    public void TruncatedRecord_Fails()
    {
        byte[] whole = WrenSerializer.Serialize(new Person("Grace", 85, ["navy"], new Point(1, 2)));
        for (int cut = 1; cut < whole.Length; cut++)
        {
            byte[] part = whole[..cut];
            WrenSerializationException error = Assert.Throws<WrenSerializationException>(() => WrenSerializer.Deserialize<Person>(part));
            Assert.True(error.Reason.Contains("truncated") || error.Reason.Contains("remain"), $"cut at {cut}: {error.Message}");
        }
    }

    [Fact]
    public void DeepNesting_FailsAtMaxDepthNotStackOverflow()
    {
        byte[] nested = new byte[200_000];
        Array.Fill(nested, (byte)0x91);
        nested[^1] = 0xc0;
        WrenSerializationException error = Fails<object>(nested);
        Assert.Contains("nests deeper than WrenSerializerOptions.MaxDepth (1000)", error.Reason);
    }

    [Fact]
    public void SkippingDeepUnknownMember_DoesNotRecurse()
    {
        // {"Unknown": [[[[...]]]], "X": 1, "Y": 2} read as Point: the unknown member is skipped iteratively.
        var bytes = new List<byte> { 0x83, 0xa7 };
        bytes.AddRange("Unknown"u8.ToArray());
        bytes.AddRange(Enumerable.Repeat((byte)0x91, 100_000));
        bytes.Add(0xc0);
        bytes.AddRange(Hex("a1 58 01 a1 59 02"));
        Assert.Equal(new Point(1, 2), WrenSerializer.Deserialize<Point>(bytes.ToArray()));
    }

    [Fact]
    public void WrongType_NamesMemberAndPosition()
    {
        // {"X": "one", "Y": 2}
        WrenSerializationException error = Fails<Point>(Hex("82 a1 58 a3 6f 6e 65 a1 59 02"));
        Assert.Equal("value.X: expected an integer but found a string at byte 3", error.Message);
    }

    [Fact]
    public void NumberOutOfRange_Fails() =>
        Assert.Equal("value: the number 300 at byte 0 does not fit in Byte", Fails<byte>(Hex("cd 01 2c")).Message);

    [Fact]
    public void InvalidUtf8_Fails() =>
        Assert.Equal("value: the string at byte 0 is not valid UTF-8", Fails<string>(Hex("a2 c3 28")).Message);

    [Fact]
    public void NeverUsedFormatByte_Fails() =>
        Assert.Equal("value: found the unused format byte 0xc1 at byte 0", Fails<object>(0xc1).Message);

    [Fact]
    public void TrailingBytes_Fail() =>
        Assert.Contains("the value ends at byte 1 but the data goes on for 2 more bytes", Fails<int>(1, 2, 3).Message);

    [Fact]
    public void TimestampWithTooManyNanoseconds_Fails() =>
        Assert.Contains("has 1000000000 nanoseconds", Fails<DateTime>(Hex("c7 0c ff 3b 9a ca 00 00 00 00 00 00 00 00 00")).Message);

    [Fact]
    public void DuplicateDictionaryKey_Fails() =>
        Assert.Equal("value: the map has the key a twice (again at byte 4)", Fails<Dictionary<string, int>>(Hex("82 a1 61 01 a1 61 02")).Message);

    [Fact]
    public void NilDictionaryKey_Fails() =>
        Assert.Equal("value: the map key at byte 1 is nil; dictionary keys cannot be null", Fails<Dictionary<string, int>>(Hex("81 c0 01")).Message);

    [Fact]
    public void BackReferenceOutOfRange_Fails() =>
        Assert.Equal("value[0]: the back-reference at byte 1 points to object 5, but only 1 objects came before it", Fails<List<Point>>(Hex("91 d4 58 05")).Message);

    [Fact]
    public void RawBlockOfOtherKind_Fails()
    {
        byte[] ints = WrenSerializer.Serialize(new[] { 1, 2 }, new WrenSerializerOptions { RawBlocks = true });
        Assert.Contains("holds element kind 6, not Double values (kind 11)", Assert.Throws<WrenSerializationException>(() => WrenSerializer.Deserialize<double[]>(ints)).Reason);
    }

    [Fact]
    public void RawBlockOfPartialElements_Fails() =>
        Assert.Contains("not a whole number of 8-byte Double values", Fails<double[]>(Hex("c7 04 59 0b 00 00 00")).Reason);

    [Fact]
    public void HugeMultiDimensionalArray_FailsBeforeAllocating() =>
        Assert.Contains("declares 100000+ elements but only 6 bytes remain", Fails<int[,]>(Hex("92 92 ce 00 01 86 a0 ce 00 00 03 e8 90")).Reason);

    private static byte[] TypeTagged(string typeName, params byte[] value)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(typeName);
        var bytes = new List<byte> { 0x92, 0xc7, (byte)(name.Length + 1), 87, 0 };
        bytes.AddRange(name);
        bytes.AddRange(value);
        return bytes.ToArray();
    }

    [Fact]
    public void TypeNameOutsideAllowList_Fails()
    {
        WrenSerializationException error = Fails<object>(TypeTagged("System.Diagnostics.Process", 0x80));
        Assert.Contains("names framework type 'System.Diagnostics.Process'", error.Reason);
        Assert.Contains("which Wren does not allow in data", error.Reason);
    }

    [Fact]
    public void TypeNameFromUnlistedAssembly_SaysHowToAllowIt()
    {
        WrenSerializationException error = Fails<object>(TypeTagged("Wren.Tests.Serialization.Point@Wren.Tests", 0x80));
        Assert.Contains("from assembly 'Wren.Tests', which is not allowed; add the assembly to WrenSerializerOptions.AllowedAssemblies", error.Reason);
    }

    [Fact]
    public void TypeNameOfUnrelatedType_Fails()
    {
        byte[] bytes = TypeTagged("Wren.Tests.Serialization.Point@Wren.Tests", 0x80);
        WrenSerializationException error = Assert.Throws<WrenSerializationException>(() => WrenSerializer.Deserialize<Shape>(bytes));
        Assert.Contains("names type Wren.Tests.Serialization.Point, which is not a Wren.Tests.Serialization.Shape", error.Reason);
    }

    [Fact]
    public void GenericArgumentsOutsideAllowList_Fail() =>
        Assert.Contains("System.IO.FileInfo", Fails<object>(TypeTagged("System.Collections.Generic.List`1[[System.IO.FileInfo]]", 0x90)).Reason);

    [Fact]
    public void MalformedTypeName_Fails() =>
        Assert.Contains("is malformed", Fails<object>(TypeTagged("System.Collections.Generic.List`1[[System.Int32]", 0x90)).Reason);

    [Fact]
    public void AbstractTypeWithoutTypeName_Fails() =>
        Assert.Contains("Shape is abstract or an interface", Fails<Shape>(0x80).Reason);

    [Fact]
    public void RandomBytes_NeverCrashOrThrowOtherExceptions()
    {
        var random = new Random(1234);
        byte[] valid = WrenSerializer.Serialize(new Person("Ada", 36, ["a", "b"], new Point(3, 4)));
        int refused = 0;
        for (int round = 0; round < 5000; round++)
        {
            byte[] bytes = (byte[])valid.Clone();
            int flips = random.Next(1, 4);
            for (int i = 0; i < flips; i++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            try
            {
                WrenSerializer.Deserialize<Person>(bytes);
            }
            catch (WrenSerializationException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Reason));
                refused++;
            }
            try
            {
                WrenSerializer.Deserialize<object>(bytes);
            }
            catch (WrenSerializationException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Reason));
            }
        }
        // Any other exception fails the test above; and the damage must actually reach the error paths.
        Assert.InRange(refused, 1000, 5000);
    }
}
