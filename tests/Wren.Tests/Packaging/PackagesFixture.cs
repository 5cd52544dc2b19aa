using System.Diagnostics;
using System.Text;
using Wren.Tests.Support;

namespace Wren.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: <c>dotnet pack Wren.sln</c> into a folder outside the clone (from the build the
/// tests already made), and a NuGet cache of their own, so nothing a developer installed before is used instead.
/// </summary>
public sealed class PackagesFixture : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(4);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "wren-packaging", Guid.NewGuid().ToString("N"));

    public string Feed => Path.Combine(Root, "packages");

    /// <summary>The one version every package has.</summary>
    public string Version { get; } = typeof(WrenExecutor).Assembly.GetName().Version!.ToString(3);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        Command result = Run(Repository.Root, "dotnet", "pack", Path.Combine(Repository.Root, "Wren.sln"), "--no-build", "-c", configuration, "-o", Feed);
        if (result.ExitCode != 0) throw new InvalidOperationException($"dotnet pack failed: {result}");
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }

    public string Package(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    /// <summary>Runs a command with the fixture's own NuGet cache and home.</summary>
    public Command Run(string folder, string file, params string[] arguments) => Run(folder, new Dictionary<string, string>(), file, arguments);

    public Command Run(string folder, IReadOnlyDictionary<string, string> environment, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["NUGET_PACKAGES"] = Path.Combine(Root, "nuget-cache");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // A user's shell has none of the test host's MSBuild variables.
        foreach (string name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH", "VSTEST_HOST_DEBUG" })
            start.Environment.Remove(name);
        foreach ((string key, string value) in environment) start.Environment[key] = value;
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {CommandTimeout.TotalMinutes} minutes");
        }
        process.WaitForExit();
        return new Command($"{file} {string.Join(' ', arguments)}", process.ExitCode, output.Result, error.Result);
    }
}

/// <summary>How a command ended.</summary>
public sealed record Command(string Line, int ExitCode, string Out, string Error)
{
    public override string ToString() => $"`{Line}` exited {ExitCode}\n{Out}\n{Error}";
}

/// <summary>The packaging tests share one pack. Packing and building apps take a while: they start first, beside the others.</summary>
[CollectionDefinition(Name)]
[StartFirst]
public sealed class PackagingCollection : ICollectionFixture<PackagesFixture>
{
    public const string Name = "Packaging (packs the solution)";
}
