using System.Globalization;

namespace Wren.Deploy;

/// <summary>Durations as people type them on a command line: <c>30s</c>, <c>10m</c>, <c>2h</c>, <c>7d</c>.</summary>
internal static class Durations
{
    public static TimeSpan Parse(string text, string option)
    {
        string trimmed = text.Trim();
        if (trimmed.Length >= 2 && double.TryParse(trimmed[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double amount) && amount >= 0)
        {
            switch (char.ToLowerInvariant(trimmed[^1]))
            {
                case 's': return TimeSpan.FromSeconds(amount);
                case 'm': return TimeSpan.FromMinutes(amount);
                case 'h': return TimeSpan.FromHours(amount);
                case 'd': return TimeSpan.FromDays(amount);
            }
        }
        throw new WrenException($"{option} is '{text}'; give a number and a unit, such as 30s, 10m, 2h or 7d.");
    }

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KB",
        < 1024L * 1024 * 1024 => $"{bytes / 1024.0 / 1024.0:0.0} MB",
        _ => $"{bytes / 1024.0 / 1024.0 / 1024.0:0.00} GB",
    };
}
