using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Wren.Benchmarks.Aws;

/// <summary>
/// moto_server on a free loopback port, started and stopped by the harness. Its request log (one line per request on
/// stderr, from werkzeug) is kept, so every request that reached moto can be counted afterwards, whoever sent it: the
/// client, or the workers inside the sandboxes.
/// </summary>
internal sealed partial class MotoProcess : IAsyncDisposable
{
    public const string Region = "us-east-1";

    private readonly Process _process;
    private readonly List<LoggedRequest> _log = [];
    private long _lastLineAt = Stopwatch.GetTimestamp();

    public sealed record LoggedRequest(string Method, string Path, int Status);

    private MotoProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Whether the process has ended (after <see cref="DisposeAsync"/>, whether it had ended by then).</summary>
    public bool Exited => _disposed ? _exitedAtDispose : _process.HasExited;

    private bool _disposed;
    private bool _exitedAtDispose;

    /// <summary>The test credentials and endpoint, and nothing of this machine's own AWS settings.</summary>
    public Dictionary<string, string> Variables() => new()
    {
        ["AWS_ENDPOINT_URL"] = Endpoint,
        ["AWS_ACCESS_KEY_ID"] = "testing",
        ["AWS_SECRET_ACCESS_KEY"] = "testing",
        ["AWS_REGION"] = Region,
    };

    public static async Task<MotoProcess> StartAsync()
    {
        string executable = Find("moto_server") ?? throw new InvalidOperationException("moto_server is not on PATH (pip install 'moto[server]').");
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "-H", "127.0.0.1", "-p", port.ToString() }) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start moto_server.");
        var moto = new MotoProcess(process, port);
        process.OutputDataReceived += (_, e) => moto.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => moto.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using HttpResponseMessage response = await http.GetAsync($"{moto.Endpoint}/moto-api/").ConfigureAwait(false);
                return moto;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (process.HasExited) throw new InvalidOperationException($"moto_server exited with code {process.ExitCode} at start.");
                if (clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    await moto.DisposeAsync().ConfigureAwait(false);
                    throw new TimeoutException("moto_server did not answer within 60 s.");
                }
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }

    [GeneratedRegex("\"(?<method>[A-Z]+) (?<path>\\S+) HTTP/1\\.[01]\" (?<status>\\d{3})")]
    private static partial Regex RequestLine();

    private void Keep(string? line)
    {
        if (line is null || RequestLine().Match(line) is not { Success: true } match) return;
        lock (_log)
        {
            _log.Add(new LoggedRequest(match.Groups["method"].Value, match.Groups["path"].Value, int.Parse(match.Groups["status"].Value)));
            _lastLineAt = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>How many requests are in the log so far.</summary>
    public int Logged
    {
        get
        {
            lock (_log) return _log.Count;
        }
    }

    /// <summary>The logged requests from <paramref name="from"/> (a value of <see cref="Logged"/>) on.</summary>
    public IReadOnlyList<LoggedRequest> Since(int from)
    {
        lock (_log) return _log.Skip(from).ToList();
    }

    /// <summary>Waits until moto has logged nothing new for <paramref name="quiet"/>: its log line comes after the response.</summary>
    public async Task SettleAsync(TimeSpan? quiet = null)
    {
        TimeSpan wait = quiet ?? TimeSpan.FromMilliseconds(500);
        while (true)
        {
            long last;
            lock (_log) last = _lastLineAt;
            TimeSpan idle = Stopwatch.GetElapsedTime(last);
            if (idle >= wait) return;
            await Task.Delay(wait - idle).ConfigureAwait(false);
        }
    }

    private static string? Find(string tool)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
        }
        _exitedAtDispose = _process.HasExited;
        _disposed = true;
        _process.Dispose();
    }
}
