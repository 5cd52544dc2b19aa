using Wren.Aws;
using Wren.Aws.Logs;
using Wren.Configuration;
using Wren.Tests.Deploy;
using Wren.Tests.Support;

namespace Wren.Tests.Aws;

/// <summary>The CloudWatch Logs client and <c>wren logs</c> on AWS, against moto's CloudWatch Logs.</summary>
[Trait("Category", "Slow")]
public sealed class CloudWatchLogsTests(MotoFixture moto) : IClassFixture<MotoFixture>
{
    private const string Function = "wren-logs-test";
    private const string Group = "/aws/lambda/" + Function;

    private CloudWatchLogsClient Client() => new(AwsContext.FromEnvironment(environment: moto.Environment()));

    private async Task<string> SeedAsync(string job, int calls, int linesPerCall)
    {
        using CloudWatchLogsClient logs = Client();
        string stream = $"2026/11/21/[$LATEST]{Guid.NewGuid():N}";
        try
        {
            await logs.CreateLogGroupAsync(Group);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ResourceAlreadyExistsException")
        {
        }
        await logs.CreateLogStreamAsync(Group, stream);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var events = new List<InputLogEvent>();
        for (int call = 0; call < calls; call++)
            for (int line = 0; line < linesPerCall; line++)
                events.Add(new InputLogEvent(now - 1000 + events.Count, $"{job}#{call:D5} {(line == 0 ? "ERROR" : "INFO")} line {line} of call {call}"));
        await logs.PutLogEventsAsync(Group, stream, events);
        return stream;
    }

    [RequiresToolFact("moto_server")]
    public async Task FilterLogEvents_FollowsEveryPage()
    {
        moto.Require();
        string job = $"{Guid.NewGuid():N}"[..8] + "-M0001";
        await SeedAsync(job, calls: 4, linesPerCall: 5);
        var events = new List<LogEvent>();
        using CloudWatchLogsClient client = Client();
        await foreach (LogEvent logEvent in client.FilterLogEventsAsync(new FilterLogEventsRequest { LogGroupName = Group, FilterPattern = $"\"{job}#\"", Limit = 3 }))
            events.Add(logEvent);
        Assert.Equal(20, events.Count);
        Assert.Equal(20, events.Select(e => e.Message).Distinct().Count());
        Assert.All(events, e => Assert.StartsWith(job, e.Message));
    }

    [RequiresToolFact("moto_server")]
    public async Task GetLogEventsAndDescribeStreams_ReadOneStream()
    {
        moto.Require();
        string job = $"{Guid.NewGuid():N}"[..8] + "-M0002";
        string stream = await SeedAsync(job, calls: 2, linesPerCall: 3);
        var streams = new List<LogStream>();
        using CloudWatchLogsClient client = Client();
        await foreach (LogStream each in client.DescribeLogStreamsAsync(Group)) streams.Add(each);
        Assert.Contains(streams, s => s.LogStreamName == stream);
        var events = new List<LogEvent>();
        await foreach (LogEvent logEvent in client.GetLogEventsAsync(Group, stream)) events.Add(logEvent);
        Assert.Equal(6, events.Count);
        Assert.Equal($"{job}#00000 ERROR line 0 of call 0", events[0].Message);
    }

    private string WriteConfig()
    {
        string path = Path.Combine(Path.GetTempPath(), "wren-tests", Guid.NewGuid().ToString("N"), "config.json");
        new WrenConfigFile { Backend = "lambda", Bucket = "unused-bucket", Region = MotoServer.Region, Function = Function }.Write(path);
        return path;
    }

    [RequiresToolFact("moto_server")]
    public async Task WrenLogs_JobAndCall_PrintsOnlyThatCallsLines()
    {
        moto.Require();
        string job = $"{Guid.NewGuid():N}"[..8] + "-M0003";
        await SeedAsync(job, calls: 3, linesPerCall: 2);
        string config = WriteConfig();
        // The full job id needs no lookup in storage, so no bucket is touched.
        CliRun run = await CliRun.RunAsync(moto.Environment(config), "logs", "--job", job, "--call", "1", "--since", "10m");
        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = run.Out.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Matches($@"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{{3}} {job}#00001 ERROR line 0 of call 1$", lines[0]);
        Assert.EndsWith($"{job}#00001 INFO  line 1 of call 1", lines[1]);
    }

    [RequiresToolFact("moto_server")]
    public async Task WrenLogs_Follow_PrintsNewLinesUntilCancelled()
    {
        moto.Require();
        string job = $"{Guid.NewGuid():N}"[..8] + "-M0004";
        string stream = await SeedAsync(job, calls: 1, linesPerCall: 1);
        string config = WriteConfig();
        var output = new StringWriter();
        var context = new Wren.Deploy.CommandContext { Environment = moto.Environment(config), Out = output, Error = new StringWriter(), Interactive = false };
        using var stop = new CancellationTokenSource();
        Task<int> following = Wren.Deploy.WrenCli.RunAsync(["logs", "--job", job, "--follow"], context, stop.Token);
        await Task.Delay(1500);
        using CloudWatchLogsClient client = Client();
        await client.PutLogEventsAsync(Group, stream, [new InputLogEvent(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), $"{job}#00000 INFO a later line")]);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!output.ToString().Contains("a later line") && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(100);
        stop.Cancel();
        Assert.Equal(0, await following.WaitAsync(TimeSpan.FromSeconds(30)));
        string printed = output.ToString();
        Assert.Contains("line 0 of call 0", printed);
        Assert.Contains("a later line", printed);
        Assert.Equal(2, printed.Trim().Split('\n').Length);
    }
}
