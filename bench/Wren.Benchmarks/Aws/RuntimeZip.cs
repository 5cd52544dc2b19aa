using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Wren.Deploy.Deployment;

namespace Wren.Benchmarks.Aws;

/// <summary>
/// The real Lambda deployment packages. The default is what <c>wren deploy-lambda</c> deploys: the framework-dependent
/// worker beside this program, zipped (<see cref="RuntimePackage.Managed(string)"/>). With <c>--self-contained</c>, the
/// provided.al2023 package (<see cref="RuntimePackage.BuildSelfContainedAsync"/>, about 45 s here), kept in the temp
/// folder under a hash of the runtime's sources, so that later runs reuse it until those sources change.
/// <c>--zip PATH</c> takes a package built elsewhere; <c>--rebuild-zip</c> forces a build.
/// </summary>
internal static class RuntimeZip
{
    public const string Usage = "--self-contained uses the provided.al2023 package instead of the dotnet10 one; --zip PATH uses that deployment package; --rebuild-zip builds the self-contained one again even when a current one is cached.";

    public static async Task<RuntimePackage> GetAsync(string[] args)
    {
        if (!args.Contains("--self-contained") && HarnessTools.StringArgument(args, "--zip") is null) return Managed();
        return await SelfContainedAsync(args).ConfigureAwait(false);
    }

    /// <summary>The dotnet10 package: the worker beside this program, zipped.</summary>
    public static RuntimePackage Managed()
    {
        string zip = Path.Combine(Path.GetTempPath(), "wren-bench", $"wren-worker-{Guid.NewGuid():N}.zip");
        RuntimePackage package = RuntimePackage.Managed(zip);
        Console.WriteLine($"Deployment package: {zip} (dotnet10, the framework-dependent worker).");
        return package;
    }

    /// <summary>The provided.al2023 package: self-contained, ReadyToRun, cached by the hash of the runtime's sources.</summary>
    public static async Task<RuntimePackage> SelfContainedAsync(string[] args)
    {
        if (HarnessTools.StringArgument(args, "--zip") is { } given)
        {
            if (!File.Exists(given)) throw new FileNotFoundException($"No deployment package at {given}.");
            Console.WriteLine($"Deployment package: {Path.GetFullPath(given)} (given).");
            return RuntimePackage.FromZip(given);
        }
        string root = RepositoryRoot();
        string folder = Path.Combine(Path.GetTempPath(), "wren-bench");
        Directory.CreateDirectory(folder);
        string zip = Path.Combine(folder, $"wren-selfcontained-{SourceHash(root)}.zip");
        if (File.Exists(zip) && !args.Contains("--rebuild-zip"))
        {
            Console.WriteLine($"Deployment package: {zip} (cached; built {File.GetLastWriteTime(zip):yyyy-MM-dd HH:mm} from the current runtime sources).");
            return RuntimePackage.FromZip(zip);
        }
        Console.WriteLine($"Building the deployment package (dotnet publish, self-contained, ReadyToRun) to {zip}...");
        var clock = Stopwatch.StartNew();
        string partial = zip + ".partial";
        RuntimePackage built = await RuntimePackage.BuildSelfContainedAsync(partial, "x86_64", Console.Out, CancellationToken.None).ConfigureAwait(false);
        File.Move(partial, zip, overwrite: true);
        Console.WriteLine($"Built in {clock.Elapsed.TotalSeconds:0} s ({built.Size / 1e6:0.0} MB).");
        return RuntimePackage.FromZip(zip);
    }

    /// <summary>Extracts the package to a new folder (a task root, which <c>RuntimeBootstrap</c> starts) and returns the folder.</summary>
    public static string Extract(RuntimePackage package, string name)
    {
        string folder = Path.Combine(Path.GetTempPath(), "wren-bench", $"{name}-{Guid.NewGuid():N}");
        ZipFile.ExtractToDirectory(package.ZipPath, folder);
        return folder;
    }

    public static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.WriteLine($"(could not delete {folder}: {e.Message})");
        }
    }

    /// <summary>The checkout this benchmark was built from: the folder above the binaries that holds the runtime's project.</summary>
    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "src", "LambdaRuntime", "Wren.LambdaRuntime.csproj"))) return folder.FullName;
        throw new InvalidOperationException($"Cannot find src/LambdaRuntime above {AppContext.BaseDirectory}; pass --zip PATH.");
    }

    /// <summary>SHA-256 over the runtime's sources and the build settings that shape its publish.</summary>
    private static string SourceHash(string root)
    {
        string runtime = Path.Combine(root, "src", "LambdaRuntime");
        IEnumerable<string> files = Directory.EnumerateFiles(runtime, "*", SearchOption.AllDirectories)
            .Where(f => !IsUnder(f, Path.Combine(runtime, "bin")) && !IsUnder(f, Path.Combine(runtime, "obj")))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal))
            .Concat(new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", "NuGet.config", "nuget.config" }
                .Select(n => Path.Combine(root, n)).Where(File.Exists))
            .Order(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(root, file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static bool IsUnder(string file, string folder) =>
        file.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
