using System.Numerics;
using Wren.Serialization;

namespace Wren.Tests.Serialization;

/// <summary>A value Wren writes for JavaScript to read, with the canonical rendering JavaScript must make of it.</summary>
internal sealed record WrenSample(string Name, Type Declared, object? Value, string ExpectedRendering, WrenSerializerOptions? Options, Func<byte[]> Write);

public enum InteropByteEnum : byte { None = 0, Max = byte.MaxValue }

public enum InteropShortEnum : short { Low = -300, High = 300 }

public enum InteropULongEnum : ulong { Max = ulong.MaxValue }

/// <summary>
/// The values of test (a): standard MessagePack that Wren writes, with its default options, and any other library must
/// read: every .NET type Wren maps to a standard MessagePack type.
/// </summary>
internal static class WrenSamples
{
    public static readonly IReadOnlyList<WrenSample> All = Build();

    public static readonly IReadOnlyDictionary<string, WrenSample> ByName = All.ToDictionary(s => s.Name);

    private static WrenSample Of<T>(string name, T value, string? rendering = null, WrenSerializerOptions? options = null) =>
        new(name, typeof(T), value, rendering ?? JsCanonical.Render(value), options, () => WrenSerializer.Serialize(value, options));

    private static DateTime Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, DateTimeKind.Utc);

    private static byte[] Bytes(int count) => [.. Enumerable.Range(0, count).Select(i => (byte)(i % 251))];

    private static List<WrenSample> Build()
    {
        var samples = new List<WrenSample>
        {
            Of<object?>("nil", null),
            Of<string?>("null string", null),
            Of("true", true),
            Of("false", false),
        };

        // Integer boundaries, each in its smallest encoding; 64-bit ones come back as BigInt.
        long[] longs =
        [
            0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 9007199254740991, 9007199254740993, long.MaxValue,
            -1, -32, -33, -128, -129, -32768, -32769, int.MinValue, (long)int.MinValue - 1, -9007199254740993, long.MinValue,
        ];
        samples.AddRange(longs.Select(value => Of($"long {value}", value)));
        samples.Add(Of("ulong 2^63", 9223372036854775808UL));
        samples.Add(Of("ulong max", ulong.MaxValue));
        samples.Add(Of("int max", int.MaxValue));
        samples.Add(Of("int min", int.MinValue));
        samples.Add(Of("uint max", uint.MaxValue));
        samples.Add(Of("short min", short.MinValue));
        samples.Add(Of("ushort max", ushort.MaxValue));
        samples.Add(Of("sbyte min", sbyte.MinValue));
        samples.Add(Of("byte max", byte.MaxValue));

        // Floats: a double is float 32 when that is exact, else float 64.
        double[] doubles =
        [
            0.5, 0.1, Math.PI, -0.0, 1.0, 16777217.0, 4294967296.0, -2147483648.0, 1e300, double.MaxValue, double.Epsilon,
            double.NaN, double.PositiveInfinity, double.NegativeInfinity,
        ];
        samples.AddRange(doubles.Select(value => Of($"double {value:R}{(value == 0 && double.IsNegative(value) ? " (-0)" : "")}", value)));
        samples.Add(Of("float 1.5", 1.5f));
        samples.Add(Of("float max", float.MaxValue));
        samples.Add(Of("float epsilon", float.Epsilon));

        // Strings: every header size, and text beyond ASCII.
        foreach (int length in new[] { 0, 1, 31, 32, 255, 256, 65535, 65536 })
            samples.Add(Of($"string of {length} bytes", new string('x', length)));
        samples.Add(Of("string unicode", "Кириллица ひらがな 한글 漢字 ❤ 🍺 𝄞"));
        samples.Add(Of("string control characters", "\0\t\n\r\"\\\u001f\u007f"));
        samples.Add(Of("string of 70000 bytes, two per character", new string('ж', 35000)));

        // Binary.
        foreach (int length in new[] { 0, 5, 255, 256, 65535, 65536, 70000 })
            samples.Add(Of($"bin of {length} bytes", Bytes(length)));

        // Arrays and maps, nested.
        samples.Add(Of("object array mixed", new object?[] { 1, "two", 3.5, null, true, new object?[] { Array.Empty<object?>() }, new Dictionary<object, object?> { ["a"] = 1 }, new byte[] { 9 } }));
        samples.Add(Of("object array of 16", Enumerable.Range(0, 16).Cast<object?>().ToArray()));
        samples.Add(Of("int array of 70000", Enumerable.Range(-35000, 70000).ToArray()));
        samples.Add(Of("long array", new[] { 0L, -1L, 4294967296L, long.MaxValue, long.MinValue }));
        samples.Add(Of("double array", new[] { 0.5, -2.0, 0.1, double.NaN }));
        samples.Add(Of("string jagged array", new[] { new[] { "a", "b" }, Array.Empty<string>(), new[] { "c" } }));
        samples.Add(Of("list of strings", new List<string> { "one", "two" }));
        samples.Add(Of("map of 16", Enumerable.Range(0, 16).ToDictionary(i => $"key{i}", i => (object?)i)));
        samples.Add(Of("map nested", new Dictionary<string, Dictionary<string, int>> { ["outer"] = new() { ["inner"] = 1, ["other"] = -1 }, ["empty"] = new() }));
        samples.Add(Of("map of mixed values", new Dictionary<string, object?>
        {
            ["text"] = "t", ["number"] = 42, ["fraction"] = 0.25, ["none"] = null, ["flag"] = false,
            ["list"] = new object?[] { 1, new Dictionary<object, object?> { ["deep"] = "yes" } }, ["bytes"] = new byte[] { 1, 2 },
        }));

        // Timestamps in all three forms.
        samples.Add(Of("DateTime 1970 (timestamp 32)", DateTime.UnixEpoch));
        samples.Add(Of("DateTime 2024 (timestamp 32)", Utc(2024, 1, 2, 3, 4, 5)));
        samples.Add(Of("DateTime 2024 with ticks (timestamp 64)", Utc(2024, 1, 2, 3, 4, 5).AddTicks(1234567)));
        samples.Add(Of("DateTime 2106 (timestamp 64, seconds over 32 bits)", Utc(2106, 2, 8, 0, 0, 0)));
        samples.Add(Of("DateTime 1900 (timestamp 96)", Utc(1900, 1, 1).AddTicks(1)));
        samples.Add(Of("DateTime before 1970 by a tick (timestamp 96)", DateTime.UnixEpoch.AddTicks(-1)));
        samples.Add(Of("DateTime 2600 (timestamp 96)", Utc(2600, 6, 15, 12)));
        samples.Add(Of("DateTime min", DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc)));
        samples.Add(Of("DateTime max", DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc)));

        // Extensions.
        samples.Add(Of("extension 5", new MessagePackExtension(5, new byte[] { 1, 2, 3 })));
        samples.Add(Of("extension 127 of 16 bytes", new MessagePackExtension(127, Bytes(16))));
        samples.Add(Of("extension 42 of 300 bytes", new MessagePackExtension(42, Bytes(300))));

        // A record: a map from property name to value.
        var record = new InteropRecord(
            "wren", 9007199254740993, 2.5, [1, -2, 300000], Utc(2023, 11, 14, 22, 13, 20).AddTicks(50_000),
            new Dictionary<string, object?> { ["kind"] = "test", ["size"] = 3, ["none"] = null },
            [4, 5, 6], new InteropChild("child", 0.25f), ["x", "y"], true);
        samples.Add(Of("record", record,
            """{"map":{"Name":"wren","Id":9007199254740993,"Score":{"f64":"4004000000000000"},"Counts":[1,-2,300000],"When":{"ts":[1700000000,5000000]},"Tags":{"map":{"kind":"test","size":3,"none":null}},"Blob":{"bin":"040506"},"Child":{"map":{"Label":"child","Ratio":{"f64":"3fd0000000000000"}}},"Labels":["x","y"],"Active":true}}"""));

        AddEveryStandardType(samples);
        return samples;
    }

    // The rest of the .NET types Wren maps to standard MessagePack types, each at its extremes, alone and in the
    // collections a program sends: arrays, lists, dictionaries with string keys, nested, nullable.
    private static void AddEveryStandardType(List<WrenSample> samples)
    {
        // Integer types not covered above, at both ends; char, nint and enums are integers too.
        samples.Add(Of("sbyte max", sbyte.MaxValue));
        samples.Add(Of("byte min", byte.MinValue));
        samples.Add(Of("short max", short.MaxValue));
        samples.Add(Of("ushort min", ushort.MinValue));
        samples.Add(Of("uint min", uint.MinValue));
        samples.Add(Of("ulong min", ulong.MinValue));
        samples.Add(Of("char min", char.MinValue));
        samples.Add(Of("char A", 'A'));
        samples.Add(Of("char max", char.MaxValue));
        samples.Add(Of("nint min", nint.MinValue));
        samples.Add(Of("nuint max", nuint.MaxValue));
        samples.Add(Of("byte enum max", InteropByteEnum.Max));
        samples.Add(Of("short enum low", InteropShortEnum.Low));
        samples.Add(Of("ulong enum max", InteropULongEnum.Max));

        // Floats beyond the finite ones above; Half is a float 32.
        samples.Add(Of("float NaN", float.NaN));
        samples.Add(Of("float +Infinity", float.PositiveInfinity));
        samples.Add(Of("float -Infinity", float.NegativeInfinity));
        samples.Add(Of("float min", float.MinValue));
        samples.Add(Of("half 1.5", (Half)1.5));
        samples.Add(Of("half max", Half.MaxValue));
        samples.Add(Of("half NaN", Half.NaN));

        // Types Wren writes as strings, integers or arrays of them.
        samples.Add(Of("decimal 1.50", 1.50m, "\"1.50\""));
        samples.Add(Of("decimal max", decimal.MaxValue, "\"79228162514264337593543950335\""));
        samples.Add(Of("decimal min", decimal.MinValue, "\"-79228162514264337593543950335\""));
        samples.Add(Of("decimal small", -0.0000000001m, "\"-0.0000000001\""));
        var guid = new Guid("0f8fad5b-d9cb-469f-a165-70867728950e");
        samples.Add(Of("guid", guid, "\"0f8fad5b-d9cb-469f-a165-70867728950e\""));
        samples.Add(Of("guid empty", Guid.Empty, "\"00000000-0000-0000-0000-000000000000\""));
        samples.Add(Of("TimeSpan 3.5 days", TimeSpan.FromDays(3.5), "3024000000000"));
        samples.Add(Of("TimeSpan negative", TimeSpan.FromMilliseconds(-1), "-10000"));
        samples.Add(Of("TimeSpan max", TimeSpan.MaxValue, "9223372036854775807"));
        samples.Add(Of("DateOnly", new DateOnly(2024, 2, 29), "738944"));
        samples.Add(Of("DateOnly max", DateOnly.MaxValue, "3652058"));
        samples.Add(Of("TimeOnly", new TimeOnly(23, 59, 59, 999), "863999990000"));
        samples.Add(Of("DateTimeOffset +05:30", new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromMinutes(330)), """[{"ts":[1704144845,0]},330]"""));
        samples.Add(Of("DateTimeOffset -08:00 with ticks", new DateTimeOffset(2023, 6, 1, 12, 0, 0, TimeSpan.FromHours(-8)).AddTicks(1), """[{"ts":[1685649600,100]},-480]"""));
        samples.Add(Of("Uri", new Uri("https://example.com/a?b=c#d"), "\"https://example.com/a?b=c#d\""));
        samples.Add(Of("Version", new Version(1, 2, 3, 4), "\"1.2.3.4\""));
        samples.Add(Of("BigInteger within long", new BigInteger(-5), "-5"));
        samples.Add(Of("BigInteger within ulong", new BigInteger(ulong.MaxValue), "18446744073709551615"));
        samples.Add(Of("BigInteger huge", BigInteger.Pow(10, 30), "\"1000000000000000000000000000000\""));
        samples.Add(Of("Int128 max", Int128.MaxValue, "\"170141183460469231731687303715884105727\""));
        samples.Add(Of("UInt128 small", (UInt128)42, "42"));
        samples.Add(Of("Complex", new Complex(1.5, -2), """[1.5,-2]""".Replace("1.5", """{"f64":"3ff8000000000000"}""")));

        // Nullable values, present and not.
        samples.Add(Of<int?>("int? 5", 5));
        samples.Add(Of<int?>("int? null", null));
        samples.Add(Of<double?>("double? 0.1", 0.1));
        samples.Add(Of<DateTime?>("DateTime? null", null));
        samples.Add(Of<int[]?>("int[] null", null));
        samples.Add(Of<List<string>?>("List<string> null", null));
        samples.Add(Of<Dictionary<string, int>?>("Dictionary<string, int> null", null));

        // Arrays of every primitive, standard MessagePack arrays by default (byte[] is binary, above).
        samples.Add(Of("bool array", new[] { true, false, true }));
        // An sbyte[] passes for a byte[] in a type test (the runtime lets one array type stand for the other): spelled out.
        samples.Add(Of("sbyte array", new sbyte[] { sbyte.MinValue, -1, 0, sbyte.MaxValue }, "[-128,-1,0,127]"));
        samples.Add(Of("short array", new short[] { short.MinValue, -129, 128, short.MaxValue }));
        samples.Add(Of("ushort array", new ushort[] { 0, 255, 256, ushort.MaxValue }));
        samples.Add(Of("uint array", new uint[] { 0, 127, 65536, uint.MaxValue }));
        samples.Add(Of("ulong array", new ulong[] { 0, 1UL << 53, ulong.MaxValue }));
        samples.Add(Of("float array", new[] { 0.5f, -0.1f, float.NaN, float.PositiveInfinity, float.Epsilon, float.MaxValue }));
        samples.Add(Of("double array of specials", new[] { double.NegativeInfinity, double.Epsilon, double.MaxValue, -0.0, 1e-300, Math.E }));
        double[] many = [.. Enumerable.Range(0, 5_000).Select(i => Math.Sin(i) * 1e6)];
        samples.Add(Of("double array of 5000", many));
        samples.Add(Of("char array", new[] { 'a', 'ж', '\uffff' }));
        samples.Add(Of("string array with null and empty", new string?[] { "a", null, "", "Кириллица" }));
        samples.Add(Of("decimal array", new[] { 1.5m, -2m }, """["1.5","-2"]"""));
        samples.Add(Of("int array empty", Array.Empty<int>()));
        samples.Add(Of("nullable int array", new int?[] { 1, null, -3 }));
        samples.Add(Of("DateTime array", new[] { Utc(2024, 1, 1), DateTime.UnixEpoch.AddTicks(-1) }));

        // Lists.
        samples.Add(Of("List<bool>", new List<bool> { false, true }));
        samples.Add(Of("List<byte>", new List<byte> { 0, 127, 128, 255 }));
        samples.Add(Of("List<int>", new List<int> { int.MinValue, -1, 0, 1, int.MaxValue }));
        samples.Add(Of("List<long>", new List<long> { long.MinValue, 1L << 40, long.MaxValue }));
        samples.Add(Of("List<ulong>", new List<ulong> { 0, ulong.MaxValue }));
        samples.Add(Of("List<float>", new List<float> { 1.25f, float.NegativeInfinity }));
        samples.Add(Of("List<double>", new List<double> { 0.1, double.NaN, -1e300 }));
        samples.Add(Of("List<double> of 5000", many.ToList()));
        samples.Add(Of("List<string> empty", new List<string>()));

        // Nested collections and dictionaries with string keys.
        samples.Add(Of("int jagged array", new[] { new[] { 1, 2 }, Array.Empty<int>(), new[] { -3 } }));
        samples.Add(Of("double jagged array", new[] { new[] { 0.5, 0.1 }, new[] { double.NaN } }));
        samples.Add(Of("List<List<int>>", new List<List<int>> { new() { 1 }, new(), new() { 2, 3 } }));
        samples.Add(Of("List<int[]>", new List<int[]> { new[] { 7, 8 } }));
        samples.Add(Of("int 2D array", new[,] { { 1, 2, 3 }, { 4, 5, 6 } }));
        samples.Add(Of("Dictionary<string, int>", new Dictionary<string, int> { ["a"] = 1, ["b"] = -200, ["ж"] = int.MaxValue }));
        samples.Add(Of("Dictionary<string, long>", new Dictionary<string, long> { ["small"] = 1, ["big"] = long.MinValue }));
        samples.Add(Of("Dictionary<string, double>", new Dictionary<string, double> { ["half"] = 0.5, ["tenth"] = 0.1, ["nan"] = double.NaN }));
        samples.Add(Of("Dictionary<string, string?>", new Dictionary<string, string?> { ["a"] = "x", ["none"] = null, ["empty"] = "" }));
        samples.Add(Of("Dictionary<string, bool>", new Dictionary<string, bool> { ["yes"] = true, ["no"] = false }));
        samples.Add(Of("Dictionary<string, DateTime>", new Dictionary<string, DateTime> { ["when"] = Utc(2024, 5, 6, 7, 8, 9) }));
        samples.Add(Of("Dictionary<string, int[]>", new Dictionary<string, int[]> { ["xs"] = [1, 2], ["none"] = [] }));
        samples.Add(Of("Dictionary<string, List<double>>", new Dictionary<string, List<double>> { ["readings"] = [0.25, 1e10] }));
        samples.Add(Of("Dictionary<string, byte[]>", new Dictionary<string, byte[]> { ["blob"] = [1, 2, 3] }));
        samples.Add(Of("Dictionary<string, int> empty", new Dictionary<string, int>()));
        samples.Add(Of("tuple", (1, "two", 3.5)));
    }
}

/// <summary>The values of test (b): what each sample of tests/interop/encode-samples.js must read as in Wren.</summary>
internal static class JsSamples
{
    public static readonly IReadOnlyDictionary<string, (Type Target, object? Expected)[]> Expected = Build();

    private static (Type, object?) As<T>(T value) => (typeof(T), value);

    private static (Type, object?) Fails<T>(string messagePart) => (typeof(T), new Fails(messagePart));

    private static object Natural(long value) => value is >= int.MinValue and <= int.MaxValue ? (object)(int)value : value;

    private static DateTime Utc(int year, int month, int day, int hour, int minute, int second, int millisecond) =>
        new(year, month, day, hour, minute, second, millisecond, DateTimeKind.Utc);

    private static Dictionary<string, (Type, object?)[]> Build()
    {
        var samples = new Dictionary<string, (Type, object?)[]>
        {
            ["nil"] = [As<object?>(null), As<string?>(null), As<int?>(null)],
            ["true"] = [As<object?>(true), As(true)],
            ["false"] = [As<object?>(false), As(false)],
        };

        // JavaScript integers: declared object they read as int when they fit, else long.
        foreach (long value in new long[] { 0, 127, 128, 255, 256, 65535, 65536, 4294967295, -1, -32, -33, -128, -129, -32768, -32769, -2147483648 })
            samples[$"int {value}"] = [As<object?>(Natural(value)), As(value), As((double)value)];
        samples["int 255"] = [.. samples["int 255"], As<byte>(255), Fails<sbyte>("does not fit in SByte")];
        samples["int 65535"] = [.. samples["int 65535"], As<ushort>(65535), Fails<short>("does not fit in Int16")];
        samples["int 4294967295"] = [.. samples["int 4294967295"], As(4294967295u), Fails<int>("does not fit in Int32")];

        // Safe integers of 2^32 and more (with useBigInt64) are float 64: declared object, a double; an integer target takes them.
        samples["number 4294967296"] = [As<object?>(4294967296.0), As(4294967296L), As(4294967296UL)];
        samples["number -2147483649"] = [As<object?>(-2147483649.0), As(-2147483649L), Fails<ulong>("does not fit in UInt64")];
        samples["number 2^53-1"] = [As<object?>(9007199254740991.0), As(9007199254740991L)];

        // BigInts are uint 64 (from 0) or int 64.
        samples["bigint 0"] = [As<object?>(0), As(0L), As(0UL)];
        samples["bigint 2^63-1"] = [As<object?>(long.MaxValue), As(long.MaxValue), As((ulong)long.MaxValue)];
        samples["bigint -2^63"] = [As<object?>(long.MinValue), As(long.MinValue), Fails<ulong>("does not fit in UInt64")];
        samples["bigint 2^64-1"] = [As<object?>(ulong.MaxValue), As(ulong.MaxValue), Fails<long>("does not fit in Int64"), As(18446744073709551615.0)];

        // Other numbers are float 64.
        samples["float 0.5"] = [As<object?>(0.5), As(0.5), As(0.5f), Fails<long>("does not fit in Int64")];
        samples["float pi"] = [As<object?>(Math.PI), As(Math.PI), As((float)Math.PI)];
        samples["float 1e300"] = [As<object?>(1e300), As(1e300)];
        samples["float min"] = [As<object?>(double.Epsilon), As(double.Epsilon)];
        samples["float NaN"] = [As<object?>(double.NaN), As(double.NaN), As(float.NaN)];
        samples["float Infinity"] = [As<object?>(double.PositiveInfinity), As(double.PositiveInfinity), As(float.PositiveInfinity)];
        samples["float -Infinity"] = [As<object?>(double.NegativeInfinity), As(double.NegativeInfinity)];

        // Strings.
        samples["str empty"] = [As<object?>(""), As("")];
        samples["str 31"] = [As<object?>(new string('x', 31)), As(new string('x', 31))];
        samples["str 32"] = [As<object?>(new string('x', 32)), As(new string('x', 32))];
        samples["str 256"] = [As<object?>(new string('y', 256)), As(new string('y', 256))];
        const string unicode = "Кириллица ひらがな 한글 漢字 ❤ 🍺 \0\t\"\\";
        samples["str unicode"] = [As<object?>(unicode), As(unicode)];
        samples["str 80000 bytes"] = [As<object?>(new string('ж', 40000)), As(new string('ж', 40000))];

        // Binary.
        byte[] Bytes(int count) => [.. Enumerable.Range(0, count).Select(i => (byte)(i % 251))];
        samples["bin empty"] = [As<object?>(Array.Empty<byte>()), As(Array.Empty<byte>())];
        samples["bin 5"] = [As<object?>(new byte[] { 0, 1, 127, 128, 255 }), As(new byte[] { 0, 1, 127, 128, 255 })];
        samples["bin 256"] = [As<object?>(Bytes(256)), As(Bytes(256))];
        samples["bin 70000"] = [As<object?>(Bytes(70000)), As(Bytes(70000))];

        // Arrays and maps.
        samples["array mixed"] =
        [
            As<object?>(new object?[] { 1, "two", 3.5, null, true, new object?[] { Array.Empty<object?>() }, new Dictionary<object, object?> { ["a"] = 1 }, new byte[] { 9 } }),
            As(new List<object?> { 1, "two", 3.5, null, true, new object?[] { Array.Empty<object?>() }, new Dictionary<object, object?> { ["a"] = 1 }, new byte[] { 9 } }),
        ];
        samples["array 16"] = [As<object?>(Enumerable.Range(0, 16).Cast<object?>().ToArray()), As(Enumerable.Range(0, 16).ToArray()), As(Enumerable.Range(0, 16).Select(i => (long)i).ToList())];
        int[] hundreds = [.. Enumerable.Range(0, 70000).Select(i => i % 100)];
        samples["array 70000"] = [As(hundreds), As(hundreds.Select(i => (double)i).ToArray()), As(hundreds.Select(i => (byte)i).ToArray())];
        samples["map nested"] =
        [
            As<object?>(new Dictionary<object, object?>
            {
                ["name"] = "wren", ["list"] = new object?[] { 1, 2, 3 },
                ["inner"] = new Dictionary<object, object?> { ["deep"] = new Dictionary<object, object?> { ["deeper"] = "yes" } },
                ["empty"] = new Dictionary<object, object?>(),
            }),
            As(new Dictionary<string, object?>
            {
                ["name"] = "wren", ["list"] = new object?[] { 1, 2, 3 },
                ["inner"] = new Dictionary<object, object?> { ["deep"] = new Dictionary<object, object?> { ["deeper"] = "yes" } },
                ["empty"] = new Dictionary<object, object?>(),
            }),
        ];
        samples["map 16"] = [As(Enumerable.Range(0, 16).ToDictionary(i => $"k{i}", i => i)), As<object?>(Enumerable.Range(0, 16).ToDictionary(i => (object)$"k{i}", i => (object?)i))];

        // Timestamps: dates (milliseconds) in each form, nanoseconds, and a year DateTime cannot hold.
        DateTime date32 = Utc(2024, 1, 2, 3, 4, 5, 0);
        samples["date 32"] = [As<object?>(date32), As(date32), As(new MessagePackExtension(-1, new byte[] { 0x65, 0x93, 0x7d, 0x25 }))];
        samples["date 64"] = [As<object?>(Utc(2024, 1, 2, 3, 4, 5, 678)), As(Utc(2024, 1, 2, 3, 4, 5, 678))];
        samples["date 96 before 1970"] = [As<object?>(Utc(1900, 1, 1, 0, 0, 0, 1)), As(Utc(1900, 1, 1, 0, 0, 0, 1))];
        samples["date 96 after 2514"] = [As<object?>(Utc(2600, 6, 15, 12, 0, 0, 0)), As(Utc(2600, 6, 15, 12, 0, 0, 0))];
        DateTime nanoseconds = DateTime.UnixEpoch.AddSeconds(1700000000).AddTicks(1234567);
        samples["timestamp nanoseconds"] = [As<object?>(nanoseconds), As(nanoseconds)];
        samples["timestamp year 0"] =
        [
            Fails<DateTime>("outside the years 1 to 9999"),
            Fails<object>("outside the years 1 to 9999"),
            As(new MessagePackExtension(-1, new byte[] { 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xf1, 0x86, 0x8b, 0x84, 0x00 })),
        ];

        // Extensions of other types are kept as they are.
        samples["ext 5"] = [As<object?>(new MessagePackExtension(5, new byte[] { 1, 2, 3 })), As(new MessagePackExtension(5, new byte[] { 1, 2, 3 }))];
        samples["ext 127 empty"] = [As<object?>(new MessagePackExtension(127, Array.Empty<byte>())), As(new MessagePackExtension(127, Array.Empty<byte>()))];

        // Typed targets: a record by property name (an unknown key skipped, a missing one left default), arrays, dictionaries.
        samples["record"] =
        [
            As(new InteropRecord(
                "wren", 9007199254740993, 2.5, [1, -2, 300000], Utc(2023, 11, 14, 22, 13, 20, 5),
                new Dictionary<string, object?> { ["kind"] = "test", ["size"] = 3, ["ratio"] = 0.75, ["ok"] = true, ["none"] = null, ["list"] = new object?[] { "a", 1 } },
                [4, 5, 6], new InteropChild("child", 0.25f), ["x", "y"], true)),
        ];
        samples["record reordered partial"] = [As(new InteropRecord("second", 7, 0, null!, default, null!, null!, null, [], false))];
        long[] longs = [0, -1, 2147483648, -2147483649, 4294967296, 9007199254740991, long.MaxValue, long.MinValue];
        samples["longs"] =
        [
            As(longs),
            As(longs.ToList()),
            As<object?>(new object?[] { 0, -1, 2147483648L, -2147483649.0, 4294967296.0, 9007199254740991.0, long.MaxValue, long.MinValue }),
        ];
        double[] doubles = [0.5, 1, -2, 1e300, 4294967296, double.NaN];
        samples["doubles"] = [As(doubles), As(doubles.ToList())];
        samples["dictionary"] =
        [
            As(new Dictionary<string, object?>
            {
                ["a"] = 1, ["b"] = "two", ["c"] = new object?[] { 1, 2 }, ["d"] = new Dictionary<object, object?> { ["e"] = null },
                ["f"] = 1.5, ["g"] = true, ["h"] = new byte[] { 1, 2 }, ["i"] = 5000000000L,
            }),
            As<object?>(new Dictionary<object, object?>
            {
                ["a"] = 1, ["b"] = "two", ["c"] = new object?[] { 1, 2 }, ["d"] = new Dictionary<object, object?> { ["e"] = null },
                ["f"] = 1.5, ["g"] = true, ["h"] = new byte[] { 1, 2 }, ["i"] = 5000000000L,
            }),
        ];

        // Typed collections of every standard type.
        samples["bools"] = [As(new[] { true, false, true }), As(new List<bool> { true, false, true })];
        samples["signed integers"] =
        [
            As(new sbyte[] { -128, -1, 0, 127 }), As(new short[] { -128, -1, 0, 127 }), As(new[] { -128, -1, 0, 127 }), As(new long[] { -128, -1, 0, 127 }),
            As(new List<int> { -128, -1, 0, 127 }), As(new[] { -128.0, -1, 0, 127 }), As(new float[] { -128, -1, 0, 127 }),
            Fails<byte[]>("the number -128 at byte 1 does not fit in Byte"),
        ];
        samples["unsigned integers"] =
        [
            As(new uint[] { 0, 255, 65535, 4294967295 }), As(new ulong[] { 0, 255, 65535, 4294967295 }), As(new List<uint> { 0, 255, 65535, 4294967295 }),
            As(new long[] { 0, 255, 65535, 4294967295 }), Fails<ushort[]>("does not fit in UInt16"),
        ];
        samples["uint64 array"] = [As(new[] { 0UL, ulong.MaxValue }), As(new List<ulong> { 0, ulong.MaxValue }), Fails<long[]>("does not fit in Int64")];
        samples["floats"] =
        [
            As(new[] { 0.5, -0.25, 1e30, double.PositiveInfinity, double.NaN }), As(new[] { 0.5f, -0.25f, 1e30f, float.PositiveInfinity, float.NaN }),
            As(new List<float> { 0.5f, -0.25f, 1e30f, float.PositiveInfinity, float.NaN }),
        ];
        double[] broken = [.. Enumerable.Range(0, 5000).Select(i => i % 7 == 0 ? i : i * 0.37 - 900.5)];
        samples["doubles 5000"] = [As(broken), As(broken.ToList())];
        string[] strings = ["a", "", "ж🍺", new string('x', 40)];
        samples["strings"] = [As(strings), As(strings.ToList())];
        samples["strings with null"] = [As(new string?[] { "a", null }), As(new List<string?> { "a", null })];
        samples["nullable numbers"] = [As(new int?[] { 1, null, -3 }), As(new List<int?> { 1, null, -3 }), As(new double?[] { 1, null, -3 })];
        samples["nested arrays"] =
        [
            As(new[] { new[] { 1, 2 }, [], new[] { 3 } }), As(new List<List<int>> { new() { 1, 2 }, new(), new() { 3 } }),
            As(new List<int[]> { new[] { 1, 2 }, Array.Empty<int>(), new[] { 3 } }), As(new long[][] { [1, 2], [], [3] }),
        ];
        samples["grid"] = [As(new[,] { { 1, 2, 3 }, { 4, 5, 6 } }), As(new[,] { { 1.0, 2, 3 }, { 4, 5, 6 } })];
        samples["map of doubles"] = [As(new Dictionary<string, double> { ["a"] = 0.5, ["b"] = -1, ["c"] = 1e300, ["d"] = double.NaN })];
        samples["map of strings"] = [As(new Dictionary<string, string?> { ["a"] = "x", ["b"] = "", ["c"] = null })];
        samples["map of arrays"] = [As(new Dictionary<string, int[]> { ["xs"] = [1, 2], ["ys"] = [] }), As(new Dictionary<string, List<long>> { ["xs"] = [1, 2], ["ys"] = [] })];
        samples["map of bools"] = [As(new Dictionary<string, bool> { ["yes"] = true, ["no"] = false })];
        samples["char 65"] = [As('A'), As<object?>(65)];
        samples["char 65535"] = [As(char.MaxValue)];
        samples["decimal string"] = [As(1.50m), As("1.50")];
        samples["guid string"] = [As(new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"))];
        samples["enum -300"] = [As(InteropShortEnum.Low), As(-300), Fails<InteropByteEnum>("does not fit in Byte")];
        samples["tuple"] = [As((1, "two", 3.5)), As(Tuple.Create(1, "two", 3.5))];
        samples["dates"] = [As(new[] { Utc(2024, 1, 2, 3, 4, 5, 6), Utc(1969, 12, 31, 23, 59, 59, 999) })];
        return samples;
    }
}
