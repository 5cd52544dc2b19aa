namespace Wren.Shipping;

/// <summary>An assembly of the user's code, ready to ship: its simple name, file and SHA-256.</summary>
internal sealed record CodeAssembly(string Name, string Path, string Hash, long Size);
