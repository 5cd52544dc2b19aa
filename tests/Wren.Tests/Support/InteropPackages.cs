using System.Security.Cryptography;
using System.Text;

namespace Wren.Tests.Support;

/// <summary>The npm packages of tests/interop (package.json), installed with <c>npm ci</c> when missing.</summary>
public static class InteropPackages
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly object Gate = new();
    private static string? _installed;

    /// <summary>Files that are there once the packages are installed.</summary>
    private static readonly string[] Markers =
    [
        Path.Combine("node_modules", "@msgpack", "msgpack", "package.json"),
        Path.Combine("node_modules", "msgpack-test-suite", "dist", "msgpack-test-suite.json"),
    ];

    private static bool Present() => Markers.All(marker => File.Exists(Path.Combine(Repository.InteropDirectory, marker)));

    /// <summary>Why the packages cannot be had here (missing, and no npm to install them), or null.</summary>
    public static string? WhyUnavailable()
    {
        try
        {
            if (Present()) return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
        return ExternalTool.Find("npm") is null
            ? $"tests/interop/node_modules is missing and npm is not on PATH to install it: {ExternalTool.InstallHint("npm")}"
            : null;
    }

    /// <summary>
    /// Returns tests/interop with its node_modules, running <c>npm ci</c> there first if the packages are missing.
    /// Runs once per process, and under a file lock so that test processes running side by side install once.
    /// </summary>
    public static string EnsureInstalled()
    {
        lock (Gate)
        {
            if (_installed is not null) return _installed;
            string directory = Repository.InteropDirectory;
            if (!Present())
            {
                using FileStream installLock = AcquireLock(directory);
                if (!Present()) Install(directory);
            }
            _installed = directory;
            return directory;
        }
    }

    private static void Install(string directory)
    {
        ToolResult result = ExternalTool.Run("npm", ["ci", "--no-audit", "--no-fund"], directory, standardInput: null, InstallTimeout);
        if (result.ExitCode != 0 || !Present())
            throw new InvalidOperationException($"npm ci in {directory} failed (exit code {result.ExitCode}):\n{result.StandardOutput}\n{result.StandardError}");
    }

    private static FileStream AcquireLock(string directory)
    {
        string name = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(directory)))[..16];
        string path = Path.Combine(Path.GetTempPath(), $"wren-npm-ci-{name}.lock");
        DateTime giveUp = DateTime.UtcNow + InstallTimeout + TimeSpan.FromMinutes(1);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < giveUp)
            {
                Thread.Sleep(200);
            }
        }
    }
}
