namespace Wren.Plots;

/// <summary>How many calls ran at once, per pixel column of the time axis.</summary>
internal static class RunningCount
{
    /// <summary>
    /// For each of <paramref name="columns"/> equal slices of [<paramref name="from"/>, <paramref name="to"/>], the most
    /// calls running at any moment in it, so that a call shorter than a pixel still shows.
    /// </summary>
    public static int[] PerColumn(IEnumerable<(double Started, double Ended)> runs, double from, double to, int columns)
    {
        var changes = new List<(double At, int Change)>();
        foreach ((double started, double ended) in runs)
        {
            changes.Add((started, +1));
            changes.Add((Math.Max(started, ended), -1));
        }
        // Ends before starts at the same instant: a worker that goes straight to its next call is running one, not two.
        changes.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Change.CompareTo(b.Change));

        var peaks = new int[columns];
        int running = 0;
        int column = 0;
        double width = to > from ? (to - from) / columns : 1;
        foreach ((double at, int change) in changes)
        {
            int here = Math.Clamp((int)((at - from) / width), 0, columns - 1);
            while (column < here) peaks[++column] = running;
            running += change;
            peaks[here] = Math.Max(peaks[here], running);
        }
        while (column < columns - 1) peaks[++column] = running;
        return peaks;
    }
}
