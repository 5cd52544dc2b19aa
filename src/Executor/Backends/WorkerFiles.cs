using System.Runtime.InteropServices;
using Wren.Protocol;

namespace Wren.Backends;

/// <summary>
/// The framework-dependent worker in <c>wren-worker/</c> beside the app (put there by the Wren package or project
/// reference): what the local backend starts, and what <c>wren deploy-lambda</c> and <c>deploy-batch</c> zip and deploy.
/// </summary>
internal static class WorkerFiles
{
    /// <summary>The folder beside this app that holds the worker.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, WorkerLaunch.Folder);

    /// <summary>The worker's entry assembly, checked to be there with its runtimeconfig.</summary>
    public static string RequireAssembly()
    {
        string assembly = Path.Combine(Folder, WorkerLaunch.AssemblyFile);
        string runtimeConfig = Path.ChangeExtension(assembly, ".runtimeconfig.json");
        if (!File.Exists(assembly) || !File.Exists(runtimeConfig))
            throw new WrenException($"Wren's worker is missing: expected {WorkerLaunch.AssemblyFile} and its runtimeconfig.json in {Folder}. "
                + "They are copied there when the app is built with a reference to the Wren package; rebuild the app (dotnet build), and do not publish it as a single file.");
        return assembly;
    }

    /// <summary>The dotnet host that runs this process, so workers run on the same .NET.</summary>
    public static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        string candidate = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"));
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
