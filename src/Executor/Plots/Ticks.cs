using System.Globalization;

namespace Wren.Plots;

/// <summary>Round axis values: steps of 1, 2 or 5 times a power of ten, the nearest to giving as many as asked for.</summary>
internal static class Ticks
{
    public static double Step(double span, int count, double smallest = 0)
    {
        if (span <= 0 || count < 1) return Math.Max(1, smallest);
        double raw = span / count;
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double fraction = raw / power;
        double step = (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10) * power;
        return Math.Max(step, smallest);
    }

    /// <summary>Every multiple of <paramref name="step"/> from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static IEnumerable<double> Between(double min, double max, double step)
    {
        for (double k = Math.Ceiling(min / step - 1e-9); k * step <= max + step * 1e-9; k++)
            yield return k * step;
    }

    /// <summary>The value with as many decimals as the step needs, thousands separated.</summary>
    public static string Label(double value, double step)
    {
        int decimals = Math.Clamp(-(int)Math.Floor(Math.Log10(step) + 1e-9), 0, 6);
        // Adding zero turns a negative zero (from rounding a tiny negative) into "0" rather than "-0".
        return (Math.Round(value, decimals) + 0.0).ToString("#,0." + new string('#', decimals), CultureInfo.InvariantCulture) is { Length: > 0 } text ? text : "0";
    }
}
