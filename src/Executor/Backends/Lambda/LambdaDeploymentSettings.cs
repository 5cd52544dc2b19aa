using Wren.Protocol;

namespace Wren.Backends.Lambda;

/// <summary>What Wren's runtime function looks like when deployed; shared by the deployer and the backend's check.</summary>
internal static class LambdaDeploymentSettings
{
    /// <summary>The environment variable in which the function records the Wren protocol it speaks.</summary>
    public const string ProtocolVariable = "WREN_PROTOCOL";

    /// <summary>The managed .NET 10 runtime: it runs the worker as an executable assembly (its own Main).</summary>
    public const string ManagedRuntime = "dotnet10";

    /// <summary>A custom runtime that starts a self-contained <c>bootstrap</c>, for those who want one.</summary>
    public const string CustomRuntime = "provided.al2023";

    public const string DefaultArchitecture = "x86_64";

    public static IReadOnlyList<string> Architectures { get; } = ["x86_64", "arm64"];

    /// <summary>On the managed runtime, the handler of an executable assembly is the assembly's name (no <c>::</c>).</summary>
    public const string ManagedHandler = WorkerLaunch.AssemblyName;

    /// <summary>A custom runtime ignores the handler; Lambda still wants one.</summary>
    public const string CustomHandler = "wren";

    public static string HandlerFor(string runtime) => runtime == CustomRuntime ? CustomHandler : ManagedHandler;
}
