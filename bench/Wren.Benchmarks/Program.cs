namespace Wren.Benchmarks;

internal static class Program
{
    private static void Main() { }
}
