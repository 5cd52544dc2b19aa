namespace Wren;

/// <summary>The root of every exception Wren throws on purpose.</summary>
public class WrenException : Exception
{
    /// <summary>Creates an exception with a message that says what failed and what to do.</summary>
    public WrenException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public WrenException(string message, Exception? innerException) : base(message, innerException) { }
}
