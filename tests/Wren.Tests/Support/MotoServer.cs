using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Wren.Tests.Support;

/// <summary>
/// moto_server on a free loopback port, for S3, IAM, STS, Lambda's control plane, CloudWatch Logs and Batch's control
/// plane. Tests read its endpoint and test credentials through <see cref="Environment"/>, never the process's own.
/// </summary>
public sealed class MotoServer : IAsyncLifetime
{
    public const string Region = "us-east-1";

    private Process? _process;

    public int Port { get; private set; }

    /// <summary>Environment variables of the moto_server process, for settings its config API does not take.</summary>
    public IReadOnlyDictionary<string, string> ServerVariables { get; init; } = new Dictionary<string, string>();

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Whether moto_server is installed; tests that need it are skipped or, under CI, fail.</summary>
    public bool Available => _process is not null;

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

    public async Task InitializeAsync()
    {
        string? moto = ExternalTool.Find("moto_server");
        if (moto is null) return;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo(moto) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "-H", "127.0.0.1", "-p", Port.ToString() }) start.ArgumentList.Add(argument);
        foreach ((string name, string value) in ServerVariables) start.Environment[name] = value;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using HttpResponseMessage response = await http.GetAsync($"{Endpoint}/moto-api/");
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (_process.HasExited) throw new InvalidOperationException($"moto_server exited with code {_process.ExitCode} at start");
                if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("moto_server did not answer within 60 s");
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Fails the test, saying what to install, when moto_server is not there.</summary>
    public void Require()
    {
        if (!Available) ExternalTool.Require("moto_server");
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.Dispose();
        return Task.CompletedTask;
    }
}
