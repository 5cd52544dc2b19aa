using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Reflection;
using System.Text;
using Wren.Serialization;

namespace Wren.Tests.Serialization;

// Helpers of the MessagePack interop tests: the canonical rendering of tests/interop/canonical.js for .NET values,
// the timestamp extension written out from the specification, and a deep comparison of decoded values.

/// <summary>Renders a .NET value as tests/interop/canonical.js renders the value @msgpack/msgpack decodes from it.</summary>
internal static class JsCanonical
{
    private const double MaxSafeInteger = 9007199254740991;

    public static string Render(object? value)
    {
        var text = new StringBuilder();
        Append(text, value);
        return text.ToString();
    }

    private static void Append(StringBuilder text, object? value)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case bool flag:
                text.Append(flag ? "true" : "false");
                break;
            case sbyte or byte or short or ushort or int or uint or long or ulong or char or nint or nuint:
                text.Append(Convert.ToString(value is char c ? (int)c : value, CultureInfo.InvariantCulture));
                break;
            case Enum e:
                // An enum travels as its underlying integer.
                text.Append(Convert.ToString(Convert.ChangeType(e, Enum.GetUnderlyingType(e.GetType()), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
                break;
            case float number:
                AppendNumber(text, number);
                break;
            case Half number:
                AppendNumber(text, (double)number);
                break;
            case double number:
                AppendNumber(text, number);
                break;
            case string s:
                AppendText(text, s);
                break;
            case byte[] bytes:
                text.Append("{\"bin\":\"").Append(Convert.ToHexStringLower(bytes)).Append("\"}");
                break;
            case DateTime time:
                (long seconds, uint nanoseconds) = Timestamps.ToUnix(time);
                text.Append(CultureInfo.InvariantCulture, $"{{\"ts\":[{seconds},{nanoseconds}]}}");
                break;
            case MessagePackExtension extension:
                text.Append(CultureInfo.InvariantCulture, $"{{\"ext\":[{extension.Type},\"{Convert.ToHexStringLower(extension.Data.Span)}\"]}}");
                break;
            case IDictionary map:
                text.Append("{\"map\":{");
                bool firstEntry = true;
                foreach (DictionaryEntry entry in map)
                {
                    if (!firstEntry) text.Append(',');
                    firstEntry = false;
                    AppendText(text, entry.Key as string ?? throw new ArgumentException($"a JavaScript object has string keys, not {entry.Key.GetType()}"));
                    text.Append(':');
                    Append(text, entry.Value);
                }
                text.Append("}}");
                break;
            case Array { Rank: > 1 } grid:
                // [[length of each dimension], elements in row-major order].
                text.Append("[[");
                text.AppendJoin(',', Enumerable.Range(0, grid.Rank).Select(grid.GetLength));
                text.Append("],");
                Append(text, grid.Cast<object?>().ToArray());
                text.Append(']');
                break;
            case System.Runtime.CompilerServices.ITuple tuple:
                Append(text, Enumerable.Range(0, tuple.Length).Select(i => tuple[i]).ToArray());
                break;
            case IEnumerable items:
                text.Append('[');
                bool firstItem = true;
                foreach (object? item in items)
                {
                    if (!firstItem) text.Append(',');
                    firstItem = false;
                    Append(text, item);
                }
                text.Append(']');
                break;
            default:
                throw new ArgumentException($"no canonical rendering for {value.GetType()}; write the expected text out");
        }
    }

    private static void AppendNumber(StringBuilder text, double number)
    {
        if (double.IsNaN(number))
            text.Append("{\"f64\":\"NaN\"}");
        else if (number == Math.Floor(number) && Math.Abs(number) <= MaxSafeInteger && !(number == 0 && double.IsNegative(number)))
            text.Append(((long)number).ToString(CultureInfo.InvariantCulture));
        else
            text.Append("{\"f64\":\"").Append(((ulong)BitConverter.DoubleToInt64Bits(number)).ToString("x16", CultureInfo.InvariantCulture)).Append("\"}");
    }

    private static void AppendText(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (char c in value)
        {
            if (c < 0x20 || c == '"' || c == '\\') text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else text.Append(c);
        }
        text.Append('"');
    }
}

/// <summary>The MessagePack timestamp extension (type -1), written from the specification for the tests to compare with.</summary>
internal static class Timestamps
{
    public const long MinDateTimeSeconds = -62135596800L; // 0001-01-01T00:00:00Z
    public const long MaxDateTimeSeconds = 253402300799L; // 9999-12-31T23:59:59Z

    /// <summary>Seconds since 1970 (rounded down) and the nanoseconds after them.</summary>
    public static (long Seconds, uint Nanoseconds) ToUnix(DateTime time)
    {
        long ticks = (time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time).Ticks - DateTime.UnixEpoch.Ticks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }
        return (seconds, (uint)(rest * 100));
    }

    /// <summary>The instant as a UTC DateTime (nanoseconds cut to DateTime's 100 ns), or null outside years 1 to 9999.</summary>
    public static DateTime? ToDateTime(long seconds, uint nanoseconds)
    {
        if (seconds is < MinDateTimeSeconds or > MaxDateTimeSeconds) return null;
        return new DateTime(DateTime.UnixEpoch.Ticks + seconds * TimeSpan.TicksPerSecond + nanoseconds / 100, DateTimeKind.Utc);
    }

    /// <summary>The whole extension value in the smallest of the three forms the specification defines.</summary>
    public static byte[] Encode(long seconds, uint nanoseconds)
    {
        if (seconds >= 0 && seconds < 1L << 34)
        {
            if (nanoseconds == 0 && seconds <= uint.MaxValue)
                return [0xd6, 0xff, .. BigEndian((ulong)seconds, 4)];
            return [0xd7, 0xff, .. BigEndian(((ulong)nanoseconds << 34) | (ulong)seconds, 8)];
        }
        return [0xc7, 12, 0xff, .. BigEndian(nanoseconds, 4), .. BigEndian((ulong)seconds, 8)];
    }

    /// <summary>Reads a timestamp extension's payload (4, 8 or 12 bytes).</summary>
    public static (long Seconds, uint Nanoseconds) Decode(ReadOnlySpan<byte> payload) => payload.Length switch
    {
        4 => ((long)BigEndian(payload[..4]), 0),
        8 => ((long)(BigEndian(payload) & ((1UL << 34) - 1)), (uint)(BigEndian(payload) >> 34)),
        12 => ((long)BigEndian(payload[4..]), (uint)BigEndian(payload[..4])),
        _ => throw new ArgumentException($"a timestamp payload has 4, 8 or 12 bytes, not {payload.Length}"),
    };

    private static ulong BigEndian(ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        foreach (byte b in bytes) value = (value << 8) | b;
        return value;
    }

    private static byte[] BigEndian(ulong value, int count)
    {
        var bytes = new byte[count];
        for (int i = count - 1; i >= 0; i--, value >>= 8) bytes[i] = (byte)value;
        return bytes;
    }
}

/// <summary>A decode that must fail with a <see cref="WrenSerializationException"/> whose message has this text.</summary>
internal sealed record Fails(string MessagePart);

/// <summary>Deep comparison of decoded values, with a path in every failure message.</summary>
internal static class Same
{
    /// <summary>
    /// Compares <paramref name="actual"/> with <paramref name="expected"/>: the same runtime types all the way down,
    /// doubles bit for bit (any NaN equals any NaN), collections element by element, other objects property by
    /// property. With <paramref name="numbersByValue"/>, numbers of different types that are equal also match
    /// (JavaScript has one number type, so a round trip through it may turn 2.0 into 2).
    /// </summary>
    public static void Assert(object? expected, object? actual, string path, bool numbersByValue = false)
    {
        if (expected is null)
        {
            if (actual is not null) Xunit.Assert.Fail($"{path}: expected null, got {Describe(actual)}");
            return;
        }
        if (actual is null) Xunit.Assert.Fail($"{path}: expected {Describe(expected)}, got null");
        if (numbersByValue && IsNumber(expected) && IsNumber(actual))
        {
            if (!NumbersEqual(expected, actual)) Xunit.Assert.Fail($"{path}: expected the number {Describe(expected)}, got {Describe(actual)}");
            return;
        }
        if (expected.GetType() != actual.GetType())
            Xunit.Assert.Fail($"{path}: expected a {expected.GetType().Name} {Describe(expected)}, got a {actual.GetType().Name} {Describe(actual)}");

        switch (expected)
        {
            case DateTimeOffset instant:
                var otherInstant = (DateTimeOffset)actual;
                if (instant != otherInstant || instant.Offset != otherInstant.Offset)
                    Xunit.Assert.Fail($"{path}: expected {instant:O}, got {otherInstant:O}");
                return;
            case Half or nint or nuint or Int128 or UInt128 or decimal or BigInteger or Complex or Guid or TimeSpan or DateOnly or TimeOnly or Uri or Version:
                // Framework values with no public properties worth comparing one by one: their own equality (Half's NaN equals NaN).
                if (!expected.Equals(actual)) Xunit.Assert.Fail($"{path}: expected {Describe(expected)}, got {Describe(actual)}");
                return;
            case Array { Rank: > 1 } grid:
                var actualGrid = (Array)actual;
                for (int dimension = 0; dimension < grid.Rank; dimension++)
                    Xunit.Assert.True(grid.GetLength(dimension) == actualGrid.GetLength(dimension), $"{path}: dimension {dimension} has length {actualGrid.GetLength(dimension)}, expected {grid.GetLength(dimension)}");
                Assert(grid.Cast<object?>().ToArray(), actualGrid.Cast<object?>().ToArray(), path, numbersByValue);
                return;
            case System.Runtime.CompilerServices.ITuple tuple:
                var actualTuple = (System.Runtime.CompilerServices.ITuple)actual;
                for (int i = 0; i < tuple.Length; i++) Assert(tuple[i], actualTuple[i], $"{path}.Item{i + 1}", numbersByValue);
                return;
            case double d:
                if (!SameDouble(d, (double)actual)) Xunit.Assert.Fail($"{path}: expected {Describe(d)}, got {Describe(actual)}");
                return;
            case float f:
                if (!SameDouble(f, (float)actual)) Xunit.Assert.Fail($"{path}: expected {Describe(f)}, got {Describe(actual)}");
                return;
            case DateTime time:
                var other = (DateTime)actual;
                if (time.Ticks != other.Ticks || time.Kind != other.Kind)
                    Xunit.Assert.Fail($"{path}: expected {time:O} ({time.Kind}), got {other:O} ({other.Kind})");
                return;
            case string or MessagePackExtension or bool or Enum:
                if (!expected.Equals(actual)) Xunit.Assert.Fail($"{path}: expected {Describe(expected)}, got {Describe(actual)}");
                return;
            case byte[] bytes:
                Xunit.Assert.True(bytes.AsSpan().SequenceEqual((byte[])actual), $"{path}: expected bytes {Describe(bytes)}, got {Describe(actual)}");
                return;
            case IDictionary map:
                var actualMap = (IDictionary)actual;
                if (map.Count != actualMap.Count) Xunit.Assert.Fail($"{path}: expected {map.Count} entries, got {actualMap.Count}");
                foreach (DictionaryEntry entry in map)
                {
                    if (!actualMap.Contains(entry.Key)) Xunit.Assert.Fail($"{path}: the key {Describe(entry.Key)} is missing");
                    Assert(entry.Value, actualMap[entry.Key], $"{path}[{Describe(entry.Key)}]", numbersByValue);
                }
                return;
            case IList list:
                var actualList = (IList)actual;
                if (list.Count != actualList.Count) Xunit.Assert.Fail($"{path}: expected {list.Count} elements, got {actualList.Count}");
                for (int i = 0; i < list.Count; i++) Assert(list[i], actualList[i], $"{path}[{i}]", numbersByValue);
                return;
        }
        if (expected.GetType().IsPrimitive || expected is decimal || expected is BigInteger)
        {
            if (!expected.Equals(actual)) Xunit.Assert.Fail($"{path}: expected {Describe(expected)}, got {Describe(actual)}");
            return;
        }
        foreach (PropertyInfo property in expected.GetType().GetProperties(BindingFlags.Instance | BindingFlags.Public))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            Assert(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}", numbersByValue);
        }
    }

    private static bool SameDouble(double expected, double actual) =>
        BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual) || (double.IsNaN(expected) && double.IsNaN(actual));

    public static bool IsNumber(object value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double;

    public static bool IsInteger(object value) => value is sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger;

    /// <summary>Whether two numbers of any types are the same number (integers exactly; NaN equals NaN).</summary>
    public static bool NumbersEqual(object expected, object actual)
    {
        if (IsInteger(expected) && IsInteger(actual)) return ToBigInteger(expected) == ToBigInteger(actual);
        double a = ToDouble(expected);
        double b = ToDouble(actual);
        if (double.IsNaN(a) || double.IsNaN(b)) return double.IsNaN(a) && double.IsNaN(b);
        if (a != b) return false;
        // A 64-bit integer and a double can be equal as doubles but differ: compare exactly when both are whole.
        return double.IsInfinity(a) || !(IsInteger(expected) || IsInteger(actual)) || ToBigInteger(expected) == ToBigInteger(actual);
    }

    /// <summary>The nearest double (BigInteger's own conversion truncates; 64-bit integers convert to the nearest).</summary>
    public static double ToDouble(object number) => number switch
    {
        BigInteger big when big >= long.MinValue && big <= long.MaxValue => (long)big,
        BigInteger big when big >= 0 && big <= ulong.MaxValue => (ulong)big,
        BigInteger big => (double)big,
        _ => Convert.ToDouble(number, CultureInfo.InvariantCulture),
    };

    public static BigInteger ToBigInteger(object number) => number switch
    {
        BigInteger big => big,
        ulong u => u,
        float f => new BigInteger(f),
        double d => new BigInteger(d),
        _ => Convert.ToInt64(number, CultureInfo.InvariantCulture),
    };

    public static string Describe(object? value) => value switch
    {
        null => "null",
        string s => s.Length > 60 ? $"\"{s[..60]}…\" ({s.Length} chars)" : $"\"{s}\"",
        byte[] bytes => bytes.Length > 32 ? $"{Convert.ToHexString(bytes, 0, 32)}… ({bytes.Length} bytes)" : Convert.ToHexString(bytes),
        double d => d.ToString("R", CultureInfo.InvariantCulture) + (d == 0 && double.IsNegative(d) ? " (-0)" : ""),
        float f => f.ToString("R", CultureInfo.InvariantCulture) + "f",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? value.GetType().Name,
    };
}
