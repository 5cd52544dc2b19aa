namespace Wren.Backends.Lambda;

/// <summary>What AWS Lambda allows a function: one home for the numbers the executor and the CLI check against.</summary>
internal static class LambdaLimits
{
    public const int MinMemoryMb = 128;
    public const int MaxMemoryMb = 10_240;
    public const int MaxTimeoutSeconds = 900;

    /// <summary>The timeout Lambda gives a function created without one.</summary>
    public const int DefaultTimeoutSeconds = 3;

    public static TimeSpan MaxTimeout => TimeSpan.FromSeconds(MaxTimeoutSeconds);
}
