using System.Diagnostics;
using System.Text;

namespace Wren.TestSupport;

/// <summary>
/// Programs some tests and benchmarks need besides .NET (node, npm, moto_server, busybox): finding them on PATH,
/// running them with a time limit, and deciding what a test does when one is missing. On a developer's machine it is skipped with a message
/// that says what to install; under CI (the environment variable CI is "true") it fails, so that a missing install
/// step cannot pass as green.
/// </summary>
internal static class ExternalTool
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
    /// The reason to skip a test that needs these tools (and whatever else <paramref name="otherReason"/> says is
    /// missing), or null when it should run: when they are all there, and under CI whatever is missing (the test then
    /// fails in <see cref="Require"/>).
    /// </summary>
    public static string? SkipReason(IEnumerable<string> tools, Func<string?>? otherReason = null)
    {
        if (IsCi) return null;
        var reasons = tools.Select(WhyMissing).OfType<string>().ToList();
        if (otherReason?.Invoke() is { } other) reasons.Add(other);
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
internal sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError);
