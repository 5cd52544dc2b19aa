namespace Wren.Deploy;

/// <summary>The exit codes of <c>wren</c>.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Something the user can fix: configuration, credentials, a missing resource. The message says what.</summary>
    public const int Failed = 1;

    /// <summary>The command line itself was wrong.</summary>
    public const int Usage = 2;

    /// <summary>A bug in Wren.</summary>
    public const int Internal = 70;

    public const int Cancelled = 130;
}
