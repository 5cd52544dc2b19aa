using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Wren.Deploy.Deployment;

/// <summary>
/// The Lambda deployment package: <c>Wren.LambdaRuntime</c> published self-contained, ReadyToRun, for linux-x64, with its
/// executable renamed <c>bootstrap</c> (what the provided.al2023 runtime starts), zipped.
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
    public static async Task<RuntimePackage> BuildAsync(string outputZip, TextWriter log, CancellationToken cancellationToken)
    {
        string? project = FindProject();
        if (project is null)
        {
            string bundled = Path.Combine(AppContext.BaseDirectory, BundledZipName);
            if (!File.Exists(bundled))
                throw new WrenException($"Cannot find Wren's runtime to deploy: neither {ProjectPath} above {AppContext.BaseDirectory} nor {bundled}. Run `wren` from a Wren checkout, or pass --zip <package>.");
            File.Copy(bundled, outputZip, overwrite: true);
            return FromZip(outputZip);
        }
        string work = Path.Combine(Path.GetTempPath(), $"wren-publish-{Guid.NewGuid():N}");
        string publish = Path.Combine(work, "publish");
        try
        {
            await log.WriteLineAsync($"Publishing {project} (self-contained, ReadyToRun, linux-x64)...").ConfigureAwait(false);
            // Separate artifacts keep this publish from touching the checkout's own obj and bin folders.
            await RunAsync(DotnetHost(), ["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "true",
                "-p:PublishReadyToRun=true", "-p:DebugType=none", "-p:GenerateDocumentationFile=false",
                "--artifacts-path", Path.Combine(work, "artifacts"), "-o", publish], cancellationToken).ConfigureAwait(false);
            string apphost = Path.Combine(publish, "Wren.LambdaRuntime");
            if (!File.Exists(apphost)) throw new WrenException($"The publish did not produce {apphost}.");
            File.Move(apphost, Path.Combine(publish, "bootstrap"));
            Zip(publish, outputZip);
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
