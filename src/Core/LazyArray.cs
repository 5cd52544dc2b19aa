namespace Wren;

/// <summary>
/// An array made the first time it is needed, by whichever thread needs it first (the others take that one): for what
/// few of a job's calls have (errors, futures, retried failures), so that the common case allocates nothing.
/// </summary>
internal static class LazyArray
{
    /// <summary>The array in <paramref name="field"/>, made of <paramref name="length"/> elements if there is none yet.</summary>
    public static T[] Get<T>(ref T[]? field, int length) =>
        Volatile.Read(ref field) ?? Interlocked.CompareExchange(ref field, new T[length], null) ?? field!;
}
