using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using Wren.Backends;
using Wren.Backends.Batch;
using Wren.Protocol;
using Wren.Storage;

namespace Wren.Deploy.Deployment;

/// <summary>
/// A worker package as a zip. The default is the framework-dependent worker that travels with this tool
/// (<c>wren-worker/</c>): Lambda's managed <c>dotnet10</c> runtime runs it as an executable assembly on x86_64 or arm64,
/// and the Batch stock image runs the same zip with <c>dotnet</c>. The other kind, for the <c>provided.al2023</c> custom
/// runtime, is a self-contained ReadyToRun publish with its executable named <c>bootstrap</c>, built from a Wren checkout.
/// </summary>
internal sealed record RuntimePackage(string ZipPath, string Sha256, long Size)
{
    /// <summary>What <c>deploy-lambda --package-only</c> writes by default.</summary>
    public const string DefaultZipName = "wren-worker.zip";

    private const string ProjectPath = "src/LambdaRuntime/Wren.LambdaRuntime.csproj";

    // A fixed time in every entry: the same files make the same zip, so the same object in S3.
    private static readonly DateTimeOffset Timestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static RuntimePackage FromZip(string zipPath)
    {
        string path = Path.GetFullPath(zipPath);
        if (!File.Exists(path)) throw new WrenException($"The package {path} does not exist; write one with `wren deploy-lambda --package-only -o {zipPath}`.");
        using FileStream stream = File.OpenRead(path);
        return new RuntimePackage(path, Convert.ToHexStringLower(SHA256.HashData(stream)), stream.Length);
    }

    /// <summary>
    /// Uploads the package under its hash (<c>&lt;prefix&gt;/runtime/wren-worker-&lt;hash&gt;.zip</c>), unless that exact
    /// package is there already; returns the key and whether it uploaded. Lambda and Batch deploy the same zip, so a
    /// second deployment of it uploads nothing.
    /// </summary>
    public async Task<(string Key, bool Uploaded)> UploadAsync(IObjectStorage storage, string prefix, CancellationToken cancellationToken)
    {
        string key = BatchDeploymentSettings.BundleKey(prefix, Sha256);
        if (await storage.SizeAsync(key, cancellationToken).ConfigureAwait(false) == Size) return (key, false);
        using FileStream zip = File.OpenRead(ZipPath);
        await storage.PutAsync(key, zip, cancellationToken).ConfigureAwait(false);
        return (key, true);
    }

    /// <summary>Zips the framework-dependent worker that travels with this tool (no build, no SDK needed).</summary>
    public static RuntimePackage Managed(string outputZip) => Managed(WorkerFiles.Folder, outputZip);

    /// <summary>Zips the framework-dependent worker in <paramref name="folder"/>, files at the zip's root.</summary>
    public static RuntimePackage Managed(string folder, string outputZip)
    {
        if (!File.Exists(Path.Combine(folder, WorkerLaunch.AssemblyFile)) || !File.Exists(Path.Combine(folder, WorkerLaunch.AssemblyName + ".runtimeconfig.json")))
            throw new WrenException($"Wren's worker is not in {folder} ({WorkerLaunch.AssemblyFile} and its runtimeconfig.json): reinstall the wren tool (dotnet tool install Wren.Cli), or rebuild it.");
        Zip(folder, outputZip, executable: null);
        return FromZip(outputZip);
    }

    /// <summary>Publishes the worker self-contained and ReadyToRun for linux-<paramref name="architecture"/> from a Wren checkout, as the custom runtime's zip.</summary>
    public static async Task<RuntimePackage> BuildSelfContainedAsync(string outputZip, string architecture, TextWriter log, CancellationToken cancellationToken)
    {
        string project = FindProject() ?? throw new WrenException(
            $"The provided.al2023 package is a self-contained publish of Wren's worker, which needs a Wren checkout: run `wren` from one, or pass a package built there (deploy-lambda --runtime provided.al2023 --zip Z). The default runtime, dotnet10, needs neither.");
        string rid = architecture == "arm64" ? "linux-arm64" : "linux-x64";
        string work = Path.Combine(Path.GetTempPath(), $"wren-publish-{Guid.NewGuid():N}");
        try
        {
            string publish = Path.Combine(work, "publish");
            await log.WriteLineAsync($"Publishing {project} (self-contained, ReadyToRun, {rid})...").ConfigureAwait(false);
            // Separate artifacts keep this publish from touching the checkout's own obj and bin folders. Without
            // documentation files the build's style rules cannot run (IDE0005 needs them), so they are left out too.
            await RunAsync(WorkerFiles.DotnetHost(), ["publish", project, "-c", "Release", "-r", rid, "--self-contained", "true",
                "-p:PublishReadyToRun=true", "-p:UseAppHost=true", "-p:DebugType=none", "-p:GenerateDocumentationFile=false", "-p:EnforceCodeStyleInBuild=false",
                "--artifacts-path", Path.Combine(work, "artifacts"), "-o", publish], cancellationToken).ConfigureAwait(false);
            string apphost = Path.Combine(publish, WorkerLaunch.AssemblyName);
            if (!File.Exists(apphost)) throw new WrenException($"The publish did not produce {apphost}.");
            File.Move(apphost, Path.Combine(publish, "bootstrap"));
            Zip(publish, outputZip, executable: "bootstrap");
            return FromZip(outputZip);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Every file under <paramref name="folder"/>, in ordinal order, with a fixed time; <paramref name="executable"/> gets mode 0755.</summary>
    private static void Zip(string folder, string outputZip, string? executable)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputZip))!);
        if (File.Exists(outputZip)) File.Delete(outputZip);
        using ZipArchive zip = ZipFile.Open(outputZip, ZipArchiveMode.Create);
        foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string name = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
            ZipArchiveEntry entry = zip.CreateEntry(name, CompressionLevel.Optimal);
            entry.LastWriteTime = Timestamp;
            // Unix permissions live in the high 16 bits: a custom runtime's bootstrap must be executable.
            int mode = name == executable ? Convert.ToInt32("100755", 8) : Convert.ToInt32("100644", 8);
            entry.ExternalAttributes = mode << 16;
            using Stream target = entry.Open();
            using FileStream source = File.OpenRead(file);
            source.CopyTo(target);
        }
    }

    private static string? FindProject()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, ProjectPath);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static async Task RunAsync(string file, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new WrenException($"Could not start {file}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            string text = (await output.ConfigureAwait(false)) + (await errors.ConfigureAwait(false));
            string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            throw new WrenException($"Publishing the runtime failed (exit {process.ExitCode}): {string.Join(" | ", lines.Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Take(3).DefaultIfEmpty(lines.LastOrDefault() ?? ""))}");
        }
    }
}
