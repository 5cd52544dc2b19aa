using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Wren.Deploy.Deployment;

/// <summary>
/// The Lambda deployment package: <c>Wren.LambdaRuntime</c> published self-contained, ReadyToRun, for linux-x64, with its
/// executable renamed <c>bootstrap</c> (what the provided.al2023 runtime starts), zipped. The same publish also makes
/// the Batch worker bundle (<see cref="WorkerBundle"/>).
/// </summary>
internal sealed record RuntimePackage(string ZipPath, string Sha256, long Size)
{
    public const string BundledZipName = "wren-runtime-linux-x64.zip";
    private const string ProjectPath = "src/LambdaRuntime/Wren.LambdaRuntime.csproj";

    public static RuntimePackage FromZip(string zipPath)
    {
        byte[] bytes = File.ReadAllBytes(zipPath);
        return new RuntimePackage(Path.GetFullPath(zipPath), Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length);
    }

    /// <summary>Publishes the runtime from Wren's source next to this tool, or takes the package the tool was shipped with.</summary>
    public static async Task<RuntimePackage> BuildAsync(string outputZip, TextWriter log, CancellationToken cancellationToken) =>
        (await BuildAsync(outputZip, null, log, cancellationToken).ConfigureAwait(false)).Zip!;

    /// <summary>The same runtime as <see cref="BuildAsync(string, TextWriter, CancellationToken)"/>, as the Batch worker bundle.</summary>
    public static async Task<WorkerBundle> BuildBundleAsync(string outputTarGz, TextWriter log, CancellationToken cancellationToken) =>
        (await BuildAsync(null, outputTarGz, log, cancellationToken).ConfigureAwait(false)).Bundle!;

    /// <summary>One publish of the runtime, written as the Lambda zip, the Batch tar.gz, or both (each when its path is given).</summary>
    public static async Task<(RuntimePackage? Zip, WorkerBundle? Bundle)> BuildAsync(string? outputZip, string? outputTarGz, TextWriter log, CancellationToken cancellationToken)
    {
        string work = Path.Combine(Path.GetTempPath(), $"wren-publish-{Guid.NewGuid():N}");
        try
        {
            (string folder, string? shippedZip) = await PublishAsync(work, log, cancellationToken).ConfigureAwait(false);
            RuntimePackage? zip = null;
            if (outputZip is not null)
            {
                if (shippedZip is not null) File.Copy(shippedZip, outputZip, overwrite: true);
                else Zip(folder, outputZip);
                zip = FromZip(outputZip);
            }
            WorkerBundle? bundle = outputTarGz is null ? null : WorkerBundle.Write(folder, outputTarGz);
            return (zip, bundle);
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

    /// <summary>The runtime's files in a folder under <paramref name="work"/>, and the shipped zip when they came from one.</summary>
    private static async Task<(string Folder, string? ShippedZip)> PublishAsync(string work, TextWriter log, CancellationToken cancellationToken)
    {
        string publish = Path.Combine(work, "publish");
        string? project = FindProject();
        if (project is null)
        {
            string bundled = Path.Combine(AppContext.BaseDirectory, BundledZipName);
            if (!File.Exists(bundled))
                throw new WrenException($"Cannot find Wren's runtime to deploy: neither {ProjectPath} above {AppContext.BaseDirectory} nor {bundled}. Run `wren` from a Wren checkout, or pass a package built there (deploy-lambda --zip, deploy-batch --bundle).");
            ZipFile.ExtractToDirectory(bundled, publish);
            return (publish, bundled);
        }
        await log.WriteLineAsync($"Publishing {project} (self-contained, ReadyToRun, linux-x64)...").ConfigureAwait(false);
        // Separate artifacts keep this publish from touching the checkout's own obj and bin folders.
        await RunAsync(DotnetHost(), ["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "true",
            "-p:PublishReadyToRun=true", "-p:DebugType=none", "-p:GenerateDocumentationFile=false",
            "--artifacts-path", Path.Combine(work, "artifacts"), "-o", publish], cancellationToken).ConfigureAwait(false);
        string apphost = Path.Combine(publish, "Wren.LambdaRuntime");
        if (!File.Exists(apphost)) throw new WrenException($"The publish did not produce {apphost}.");
        File.Move(apphost, Path.Combine(publish, "bootstrap"));
        return (publish, null);
    }

    private static void Zip(string folder, string outputZip)
    {
        if (File.Exists(outputZip)) File.Delete(outputZip);
        using ZipArchive zip = ZipFile.Open(outputZip, ZipArchiveMode.Create);
        foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string name = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
            ZipArchiveEntry entry = zip.CreateEntryFromFile(file, name, CompressionLevel.Optimal);
            // Unix permissions live in the high 16 bits: bootstrap must be executable in Lambda.
            int mode = name == "bootstrap" ? Convert.ToInt32("100755", 8) : Convert.ToInt32("100644", 8);
            entry.ExternalAttributes = mode << 16;
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

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

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
