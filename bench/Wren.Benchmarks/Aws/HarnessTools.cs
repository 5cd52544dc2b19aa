using System.Globalization;
using System.Runtime.InteropServices;

namespace Wren.Benchmarks.Aws;

/// <summary>What the AWS-path harnesses share: arguments, percentiles, formatting and a description of the machine.</summary>
internal static class HarnessTools
{
    /// <summary>Nearest-rank percentile: the smallest sample with at least <paramref name="percent"/>% of the samples at or below it.</summary>
    public static double Percentile(IReadOnlyCollection<double> samples, double percent)
    {
        if (samples.Count == 0) return double.NaN;
        double[] sorted = [.. samples.Order()];
        int rank = Math.Max(1, (int)Math.Ceiling(percent / 100 * sorted.Length));
        return sorted[rank - 1];
    }

    public static string Fixed(double value, string format = "0.0") =>
        double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);

    public static string Thousands(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static int? IntArgument(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        if (at < 0) return null;
        if (at + 1 >= args.Length) throw new ArgumentException($"{name} needs a value.");
        return int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new ArgumentException($"{name} needs a positive whole number, not '{args[at + 1]}'.");
    }

    public static int[]? IntListArgument(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        if (at < 0) return null;
        if (at + 1 >= args.Length) throw new ArgumentException($"{name} needs a value such as 1,64,256.");
        return [.. args[at + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
                ? value
                : throw new ArgumentException($"{name} needs positive whole numbers separated by commas, not '{args[at + 1]}'."))];
    }

    public static string? StringArgument(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        if (at < 0) return null;
        return at + 1 < args.Length ? args[at + 1] : throw new ArgumentException($"{name} needs a value.");
    }

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>One line on the machine: CPU model and count, OS, .NET runtime.</summary>
    public static string Machine()
    {
        string model = "unknown CPU";
        try
        {
            model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? model;
        }
        catch (IOException)
        {
        }
        return $"{model}, {Environment.ProcessorCount} cores; {RuntimeInformation.OSDescription}; .NET {Environment.Version} ({RuntimeInformation.RuntimeIdentifier}); load average {LoadAverage()}";
    }

    /// <summary>Whether process <paramref name="pid"/> is alive and its command line contains <paramref name="fragment"/>.</summary>
    public static bool IsRunning(int pid, string fragment)
    {
        try
        {
            string commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            string state = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("State:", StringComparison.Ordinal)) ?? "";
            return commandLine.Contains(fragment, StringComparison.Ordinal) && !state.Contains("zombie", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
