namespace Wren.Backends.Lambda;

/// <summary>What Wren's runtime function looks like when deployed; shared by the deployer and the backend's check.</summary>
internal static class LambdaDeploymentSettings
{
    /// <summary>The environment variable in which the function records the Wren protocol it speaks.</summary>
    public const string ProtocolVariable = "WREN_PROTOCOL";

    public const string Runtime = "provided.al2023";
    public const string Architecture = "x86_64";
    public const string Handler = "wren";
}
