using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Wren.Tests.Support;

/// <summary>
/// Programs some tests need besides .NET (node, npm, moto_server): finding them on PATH, running them with a time
/// limit, and deciding what a test does when one is missing. On a developer's machine it is skipped with a message
/// that says what to install; under CI (the environment variable CI is "true") it fails, so that a missing install
/// step cannot pass as green.
/// </summary>
public static class ExternalTool
{
    /// <summary>Whether this run is CI's, where a missing tool must fail the tests that need it.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path of <paramref name="tool"/> found on PATH, or null.</summary>
    public static string? Find(string tool)
    {
        string[] extensions = OperatingSystem.IsWindows()
            ? [.. (Environment.GetEnvironmentVariable("PATHEXT") ?? ".EXE;.CMD;.BAT").Split(';', StringSplitOptions.RemoveEmptyEntries), ""]
            : [""];
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string extension in extensions)
            {
                string candidate = Path.Combine(directory.Trim('"'), tool + extension);
                if (File.Exists(candidate) && IsExecutable(candidate)) return candidate;
            }
        }
        return null;
    }

    private static bool IsExecutable(string path) =>
        OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    /// <summary>What to install to get <paramref name="tool"/>.</summary>
    public static string InstallHint(string tool) => tool switch
    {
        "node" or "npm" => "install Node.js 20 or later with npm (Debian: apt-get install nodejs npm)",
        "moto_server" => "install moto's server (pip install 'moto[server]')",
        "busybox" => "install busybox (Debian: apt-get install busybox), whose wget and unzip stand in for the Batch image's",
        _ => $"install {tool} and put it on PATH",
    };

    /// <summary>Why a test that needs <paramref name="tool"/> cannot run here, or null when it is on PATH.</summary>
    public static string? WhyMissing(string tool) =>
        Find(tool) is null ? $"{tool} is not on PATH: {InstallHint(tool)}" : null;

    /// <summary>
    /// The reason to skip a test that needs these tools, or null when it should run: when they are all there, and
    /// under CI whatever is missing (the test then fails in <see cref="Require"/>).
    /// </summary>
    public static string? SkipReason(IEnumerable<string> tools, bool interopPackages = false)
    {
        if (IsCi) return null;
        var reasons = tools.Select(WhyMissing).OfType<string>().ToList();
        if (interopPackages && InteropPackages.WhyUnavailable() is { } packages) reasons.Add(packages);
        return reasons.Count == 0 ? null : string.Join("; ", reasons.Distinct()) + " (under CI, CI=true, this test fails instead of being skipped)";
    }

    /// <summary>The path of <paramref name="tool"/>; throws, saying what to install, when it is not on PATH.</summary>
    public static string Require(string tool) =>
        Find(tool) ?? throw new InvalidOperationException(
            $"{tool} is not on PATH{(IsCi ? " and CI=true, so the test fails rather than skips" : "")}: {InstallHint(tool)}.");

    /// <summary>
    /// Runs <paramref name="tool"/> and returns what it printed. Standard input is written and closed; the tool and
    /// its children are killed if it has not finished within <paramref name="timeout"/>, and that is a failure.
    /// </summary>
    public static ToolResult Run(string tool, IEnumerable<string> arguments, string workingDirectory, string? standardInput, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Require(tool))
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} could not be started");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        // Written on another thread: a tool that stops reading must not block this one past the timeout.
        Task input = Task.Run(() =>
        {
            try
            {
                if (standardInput is not null) process.StandardInput.Write(standardInput);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The tool exited without reading everything; its exit code and error output tell why.
            }
        });

        if (!process.WaitForExit(timeout))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited just now.
            }
            process.WaitForExit(5_000);
            throw new TimeoutException($"{tool} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds:0} s and was killed");
        }
        process.WaitForExit();
        if (!Task.WaitAll([output, error, input], TimeSpan.FromSeconds(30)))
            throw new TimeoutException($"the output of {tool} was not closed 30 s after it exited");
        return new ToolResult(process.ExitCode, output.Result, error.Result);
    }
}

/// <summary>How a tool run by <see cref="ExternalTool.Run"/> ended.</summary>
public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// A fact that needs external tools: skipped with a message saying what to install when one is missing, except
/// under CI, where the test runs and fails. With <see cref="InteropPackages"/>, it also needs the npm packages of
/// tests/interop (present, or npm to install them).
/// </summary>
public sealed class RequiresToolFactAttribute : FactAttribute
{
    private readonly string[] _tools;

    public RequiresToolFactAttribute(params string[] tools)
    {
        _tools = tools;
        Skip = ExternalTool.SkipReason(_tools);
    }

    public bool InteropPackages
    {
        get;
        set
        {
            field = value;
            Skip = ExternalTool.SkipReason(_tools, value);
        }
    }
}

/// <summary>The theory variant of <see cref="RequiresToolFactAttribute"/>; a skipped theory does not enumerate its data.</summary>
public sealed class RequiresToolTheoryAttribute : TheoryAttribute
{
    private readonly string[] _tools;

    public RequiresToolTheoryAttribute(params string[] tools)
    {
        _tools = tools;
        Skip = ExternalTool.SkipReason(_tools);
    }

    public bool InteropPackages
    {
        get;
        set
        {
            field = value;
            Skip = ExternalTool.SkipReason(_tools, value);
        }
    }
}

/// <summary>The repository's folders, found from where the tests run.</summary>
public static class Repository
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Wren.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} holds Wren.sln; run the tests from the repository");
    });

    /// <summary>The folder that holds Wren.sln.</summary>
    public static string Root => RootPath.Value;

    /// <summary>tests/interop: the npm packages and scripts of the MessagePack interop tests.</summary>
    public static string InteropDirectory => Path.Combine(Root, "tests", "interop");
}

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
