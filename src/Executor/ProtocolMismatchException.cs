namespace Wren;

/// <summary>The deployed runtime and this client speak different versions of Wren's protocol.</summary>
public sealed class ProtocolMismatchException : WrenException
{
    internal ProtocolMismatchException(string message) : base(message) { }
}
