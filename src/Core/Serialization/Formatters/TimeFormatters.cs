using System.Globalization;
using Wren.Serialization.MessagePack;

namespace Wren.Serialization.Formatters;

// Dates and times. DateTime travels as the standard timestamp extension (the instant, in UTC); the rest as numbers.

internal sealed class DateTimeFormatter : Formatter<DateTime>
{
    private const long TicksPerSecond = TimeSpan.TicksPerSecond;
    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;

    public override void Write(MessagePackWriter writer, DateTime value, WriteContext context)
    {
        // Local times are converted to the instant they mean; unspecified ones are taken as UTC.
        long ticks = (value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value).Ticks - EpochTicks;
        long seconds = Math.DivRem(ticks, TicksPerSecond, out long remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TicksPerSecond;
        }
        writer.WriteTimestamp(seconds, (uint)(remainder * 100));
    }

    public override DateTime Read(ref MessagePackReader reader, ReadContext context)
    {
        int start = reader.Position;
        if (reader.PeekKind() == MessagePackKind.String)
        {
            string text = reader.ReadString()!;
            return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime parsed)
                ? parsed
                : throw new WrenSerializationException($"the string at byte {start} is not a date and time");
        }
        (long seconds, uint nanoseconds) = reader.ReadTimestamp();
        return FromUnix(seconds, nanoseconds, start);
    }

    public static DateTime FromUnix(long seconds, uint nanoseconds, int start)
    {
        const long minSeconds = -62135596800L; // 0001-01-01
        const long maxSeconds = 253402300799L; // 9999-12-31T23:59:59
        if (seconds is < minSeconds or > maxSeconds)
            throw new WrenSerializationException($"the timestamp at byte {start} ({seconds} s since 1970) is outside the years 1 to 9999 that DateTime holds");
        return new DateTime(EpochTicks + seconds * TicksPerSecond + nanoseconds / 100, DateTimeKind.Utc);
    }
}

/// <summary>A DateTimeOffset is [timestamp of the instant, offset in minutes].</summary>
internal sealed class DateTimeOffsetFormatter : Formatter<DateTimeOffset>
{
    public override void Write(MessagePackWriter writer, DateTimeOffset value, WriteContext context)
    {
        writer.WriteArrayHeader(2);
        Builtin.DateTime.Write(writer, value.UtcDateTime, context);
        writer.WriteInt64((long)value.Offset.TotalMinutes);
    }

    public override DateTimeOffset Read(ref MessagePackReader reader, ReadContext context)
    {
        int start = reader.Position;
        if (reader.ReadArrayHeader() != 2) throw new WrenSerializationException($"a DateTimeOffset at byte {start} must be [timestamp, offset minutes]");
        DateTime utc = Builtin.DateTime.Read(ref reader, context);
        long minutes = reader.ReadInt64(-14 * 60, 14 * 60, "an offset of at most 14 hours");
        return new DateTimeOffset(utc).ToOffset(TimeSpan.FromMinutes(minutes));
    }
}

internal sealed class TimeSpanFormatter : Formatter<TimeSpan>
{
    public override void Write(MessagePackWriter writer, TimeSpan value, WriteContext context) => writer.WriteInt64(value.Ticks);
    public override TimeSpan Read(ref MessagePackReader reader, ReadContext context) => new(reader.ReadInt64());
}

internal sealed class DateOnlyFormatter : Formatter<DateOnly>
{
    public override void Write(MessagePackWriter writer, DateOnly value, WriteContext context) => writer.WriteInt32(value.DayNumber);
    public override DateOnly Read(ref MessagePackReader reader, ReadContext context) =>
        DateOnly.FromDayNumber((int)reader.ReadInt64(DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber, "DateOnly"));
}

internal sealed class TimeOnlyFormatter : Formatter<TimeOnly>
{
    public override void Write(MessagePackWriter writer, TimeOnly value, WriteContext context) => writer.WriteInt64(value.Ticks);
    public override TimeOnly Read(ref MessagePackReader reader, ReadContext context) =>
        new(reader.ReadInt64(TimeOnly.MinValue.Ticks, TimeOnly.MaxValue.Ticks, "TimeOnly"));
}

/// <summary>Guids travel as their 36-character string; 16 bytes of binary (RFC 4122 order) are read too.</summary>
internal sealed class GuidFormatter : Formatter<Guid>
{
    public override void Write(MessagePackWriter writer, Guid value, WriteContext context)
    {
        // 36 characters: too long for a fixstr, so str8.
        Span<byte> text = stackalloc byte[38];
        text[0] = MessagePackCode.Str8;
        text[1] = 36;
        value.TryFormat(text[2..], out _, "D");
        writer.WriteRaw(text);
    }

    public override Guid Read(ref MessagePackReader reader, ReadContext context)
    {
        int start = reader.Position;
        if (reader.PeekKind() == MessagePackKind.Binary)
        {
            ReadOnlySpan<byte> bytes = reader.ReadBinary();
            return bytes.Length == 16 ? new Guid(bytes, bigEndian: true) : throw new WrenSerializationException($"the Guid at byte {start} has {bytes.Length} bytes; expected 16");
        }
        ReadOnlySpan<byte> utf8 = reader.ReadStringBytes();
        Span<char> text = stackalloc char[64];
        return utf8.Length <= text.Length && System.Text.Encoding.UTF8.TryGetChars(utf8, text, out int length) && Guid.TryParse(text[..length], out Guid value)
            ? value
            : throw new WrenSerializationException($"the string at byte {start} is not a Guid");
    }
}
