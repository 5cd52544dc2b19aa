using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Wren.TestSupport;

/// <summary>
/// moto_server on a free loopback port, for S3, IAM, STS, Lambda's control plane, CloudWatch Logs and Batch's control
/// plane. Clients read its endpoint and test credentials through <see cref="Environment"/>, never the process's own.
/// Its request log (one line per request, from werkzeug) is kept, so that every request that reached moto can be
/// counted afterwards, whoever sent it.
/// </summary>
public partial class MotoServer : IAsyncDisposable
{
    public const string Region = "us-east-1";

    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(60);

    private readonly List<LoggedRequest> _log = [];
    private Process? _process;
    private long _lastLineAt = Stopwatch.GetTimestamp();
    private bool _exitedAtDispose;
    private bool _disposed;

    /// <param name="serverVariables">Environment variables of the moto_server process, for settings its config API does not take.</param>
    public MotoServer(IReadOnlyDictionary<string, string>? serverVariables = null) => ServerVariables = serverVariables ?? new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> ServerVariables { get; }

    public int Port { get; private set; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Whether moto_server is installed and was started; tests that need it are skipped or, under CI, fail.</summary>
    public bool Available => _process is not null;

    public int ProcessId { get; private set; }

    /// <summary>Whether the process has ended (after <see cref="DisposeAsync"/>: whether it had ended by then).</summary>
    public bool Exited => _disposed ? _exitedAtDispose : _process?.HasExited ?? true;

    /// <summary>One request as moto logged it.</summary>
    public sealed record LoggedRequest(string Method, string Path, int Status);

    /// <summary>moto's endpoint and test credentials, and nothing of this machine's own AWS settings.</summary>
    public Dictionary<string, string> Variables(string? configPath = null)
    {
        var variables = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = Endpoint,
            ["AWS_ACCESS_KEY_ID"] = "testing",
            ["AWS_SECRET_ACCESS_KEY"] = "testing",
            ["AWS_REGION"] = Region,
        };
        if (configPath is not null) variables["WREN_CONFIG"] = configPath;
        return variables;
    }

    /// <summary>An environment with moto's variables and nothing else (so the machine's own AWS settings never leak in).</summary>
    public Func<string, string?> Environment(string? configPath = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        Dictionary<string, string> variables = Variables(configPath);
        if (extra is not null) foreach ((string key, string value) in extra) variables[key] = value;
        return name => variables.GetValueOrDefault(name);
    }

    /// <summary>A started moto_server; throws, saying what to install, when it is not on PATH.</summary>
    public static async Task<MotoServer> StartAsync(IReadOnlyDictionary<string, string>? serverVariables = null)
    {
        var moto = new MotoServer(serverVariables);
        ExternalTool.Require("moto_server");
        await moto.StartIfInstalledAsync().ConfigureAwait(false);
        return moto;
    }

    /// <summary>How many ports are tried: a free port found by binding to port 0 may be taken by another process before moto binds it.</summary>
    private const int PortAttempts = 5;

    /// <summary>
    /// Starts moto_server and waits until it answers; does nothing when it is not installed (see <see cref="Require"/>).
    /// Ready means this process said it runs on the port and the port answers: an answer alone may come from another
    /// server that took the port first (another test's moto, a local backend's loopback server), while this moto exits
    /// saying the port is in use; it then starts again on another port.
    /// </summary>
    public async Task StartIfInstalledAsync()
    {
        string? moto = ExternalTool.Find("moto_server");
        if (moto is null) return;
        for (int attempt = 1; ; attempt++)
        {
            if (await TryStartAsync(moto).ConfigureAwait(false)) return;
            if (attempt == PortAttempts) throw new InvalidOperationException($"moto_server found each of {PortAttempts} free ports taken before it could bind them");
        }
    }

    /// <summary>Starts moto on a free port; false when the port was taken meanwhile (the process has exited).</summary>
    private async Task<bool> TryStartAsync(string moto)
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _running = false;
        _portTaken = false;
        var start = new ProcessStartInfo(moto) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "-H", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture) }) start.ArgumentList.Add(argument);
        foreach ((string name, string value) in ServerVariables) start.Environment[name] = value;
        Process process = Process.Start(start) ?? throw new InvalidOperationException("moto_server could not be started");
        _process?.Dispose();
        _process = process;
        ProcessId = process.Id;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                // Its last lines may still be on their way.
                process.WaitForExit();
                if (Volatile.Read(ref _portTaken)) return false;
                throw new InvalidOperationException($"moto_server exited with code {process.ExitCode} at start");
            }
            if (Volatile.Read(ref _running))
            {
                try
                {
                    using HttpResponseMessage response = await http.GetAsync($"{Endpoint}/moto-api/").ConfigureAwait(false);
                    return true;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not answering yet.
                }
            }
            if (clock.Elapsed > StartPatience) throw new TimeoutException($"moto_server did not answer within {StartPatience.TotalSeconds:0} s");
            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    private bool _running;
    private bool _portTaken;

    /// <summary>Fails the test, saying what to install, when moto_server is not there.</summary>
    public void Require()
    {
        if (!Available) ExternalTool.Require("moto_server");
    }

    [GeneratedRegex("\"(?<method>[A-Z]+) (?<path>\\S+) HTTP/1\\.[01]\" (?<status>\\d{3})")]
    private static partial Regex RequestLine();

    private void Keep(string? line)
    {
        if (line is null) return;
        // What werkzeug says once it listens, and moto when its port is someone else's.
        if (line.Contains($"Running on http://127.0.0.1:{Port}", StringComparison.Ordinal)) Volatile.Write(ref _running, true);
        if (line.Contains("Address already in use", StringComparison.Ordinal) || line.Contains("is in use by another program", StringComparison.Ordinal)) Volatile.Write(ref _portTaken, true);
        if (RequestLine().Match(line) is not { Success: true } match) return;
        lock (_log)
        {
            _log.Add(new LoggedRequest(match.Groups["method"].Value, match.Groups["path"].Value, int.Parse(match.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture)));
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
        lock (_log) return [.. _log.Skip(from)];
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

    /// <summary>Stops moto_server and its children; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_disposed) return;
        _disposed = true;
        _exitedAtDispose = true;
        if (_process is null) return;
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
        }
        _exitedAtDispose = _process.HasExited;
        _process.Dispose();
    }
}
