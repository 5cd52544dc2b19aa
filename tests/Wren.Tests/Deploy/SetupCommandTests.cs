using System.Text.Json;
using Amazon.S3;
using Wren.Aws;
using Wren.Aws.Iam;
using Wren.Configuration;
using Wren.Storage;
using Wren.Tests.Support;

namespace Wren.Tests.Deploy;

/// <summary>create-config and create-role against moto, as a user runs them.</summary>
[Trait("Category", "Slow")]
public sealed class SetupCommandTests(MotoFixture moto) : IClassFixture<MotoFixture>
{
    private readonly string _configPath = Path.Combine(Path.GetTempPath(), "wren-tests", Guid.NewGuid().ToString("N"), "config.json");

    private async Task<string> CreateBucketAsync()
    {
        string bucket = $"wren-{Guid.NewGuid():N}"[..24];
        using IAmazonS3 s3 = S3Storage.CreateClient(MotoServer.Region, environment: moto.Environment());
        await s3.PutBucketAsync(bucket);
        return bucket;
    }

    [RequiresToolFact("moto_server")]
    public async Task CreateConfig_ReachableBucket_WritesTheConfigFile()
    {
        moto.Require();
        string bucket = await CreateBucketAsync();
        CliRun run = await CliRun.RunAsync(moto.Environment(_configPath), "create-config", "--bucket", bucket, "--prefix", "team/wren", "--memory", "2048", "--timeout", "120");
        Assert.True(run.ExitCode == 0, run.ToString());
        WrenConfigFile config = WrenConfigFile.Read(_configPath)!;
        Assert.Equal("lambda", config.Backend);
        Assert.Equal(bucket, config.Bucket);
        Assert.Equal(MotoServer.Region, config.Region);
        Assert.Equal("team/wren", config.Prefix);
        Assert.Equal(WrenConfiguration.DefaultFunction, config.Function);
        Assert.Equal(2048, config.MemoryMb);
        Assert.Equal(120, config.TimeoutSeconds);
        Assert.Contains("wren create-role", run.Out);
    }

    [RequiresToolFact("moto_server")]
    public async Task CreateConfig_MissingBucket_SaysHowToCreateIt()
    {
        moto.Require();
        CliRun run = await CliRun.RunAsync(moto.Environment(_configPath), "create-config", "--bucket", "no-such-bucket-here");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("wren create-config: Bucket no-such-bucket-here does not exist", run.Error);
        Assert.Contains("aws s3 mb s3://no-such-bucket-here", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.False(File.Exists(_configPath));
    }

    [Fact]
    public async Task CreateConfig_NoRegion_SaysWhatToSet()
    {
        CliRun run = await CliRun.RunAsync(name => name == "WREN_CONFIG" ? _configPath : name == "HOME" ? Path.GetTempPath() : null, "create-config", "--bucket", "b");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("No AWS region is set", run.Error);
        Assert.Single(run.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task CreateConfig_InvalidValues_NamesEveryProblem()
    {
        CliRun run = await CliRun.RunAsync(name => null, "create-config", "--bucket", "b", "--memory", "64", "--timeout", "901");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--memory is 64", run.Error);
        Assert.Contains("--timeout is 901", run.Error);
    }

    [Fact]
    public async Task UnknownOption_IsAUsageError()
    {
        CliRun run = await CliRun.RunAsync(name => null, "create-config", "--bucket", "b", "--colour", "blue");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--colour", run.Error);
    }

    [Fact]
    public async Task CreateRole_WithoutConfig_SaysToCreateTheConfigFirst()
    {
        CliRun run = await CliRun.RunAsync(name => name == "WREN_CONFIG" ? _configPath : null, "create-role");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("run `wren create-config --bucket <bucket>` first", run.Error);
    }

    [RequiresToolFact("moto_server")]
    public async Task CreateRole_TwiceCreatesOneRoleScopedToTheBucketPrefixAndLogGroup()
    {
        moto.Require();
        string bucket = await CreateBucketAsync();
        Func<string, string?> environment = moto.Environment(_configPath);
        Assert.Equal(0, (await CliRun.RunAsync(environment, "create-config", "--bucket", bucket, "--prefix", "jobs-area", "--function", "wren-test-fn")).ExitCode);

        CliRun first = await CliRun.RunAsync(environment, "create-role");
        Assert.True(first.ExitCode == 0, first.ToString());
        string arn = first.Out.Trim();
        Assert.Matches(@"^arn:aws:iam::\d{12}:role/wren-test-fn-role$", arn);
        CliRun second = await CliRun.RunAsync(environment, "create-role");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(arn, second.Out.Trim());
        Assert.Equal(arn, WrenConfigFile.Read(_configPath)!.RoleArn);

        using var iam = new IamClient(AwsContext.FromEnvironment(environment: environment));
        IamClient.Role role = (await iam.GetRoleAsync("wren-test-fn-role"))!;
        using (JsonDocument trust = JsonDocument.Parse(role.AssumeRolePolicyDocument))
        {
            JsonElement statement = trust.RootElement.GetProperty("Statement")[0];
            Assert.Equal("sts:AssumeRole", statement.GetProperty("Action").GetString());
            Assert.Equal("lambda.amazonaws.com", statement.GetProperty("Principal").GetProperty("Service")[0].GetString());
        }
        Assert.Equal(["wren-access"], await iam.ListRolePoliciesAsync("wren-test-fn-role"));
        using JsonDocument access = JsonDocument.Parse((await iam.GetRolePolicyAsync("wren-test-fn-role", "wren-access"))!);
        var statements = access.RootElement.GetProperty("Statement").EnumerateArray().ToDictionary(s => s.GetProperty("Sid").GetString()!);
        Assert.Equal([$"arn:aws:s3:::{bucket}/*"], statements["WrenObjects"].GetProperty("Resource").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], statements["WrenObjects"].GetProperty("Action").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal([$"arn:aws:s3:::{bucket}"], statements["WrenListing"].GetProperty("Resource").EnumerateArray().Select(r => r.GetString()));
        string[] logs = [.. statements["WrenLogs"].GetProperty("Resource").EnumerateArray().Select(r => r.GetString()!)];
        Assert.All(logs, r => Assert.Contains(":log-group:/aws/lambda/wren-test-fn", r));
        Assert.DoesNotContain(access.RootElement.GetRawText(), "\"*\"");

        CliRun delete = await CliRun.RunAsync(environment, "delete-role");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Null(await iam.GetRoleAsync("wren-test-fn-role"));
        Assert.Null(WrenConfigFile.Read(_configPath)!.RoleArn);
    }

    [RequiresToolFact("moto_server")]
    public async Task CreateRole_WithDataBuckets_GrantsThemAndKeepsThemOnTheNextRun()
    {
        moto.Require();
        string bucket = await CreateBucketAsync();
        Func<string, string?> environment = moto.Environment(_configPath);
        Assert.Equal(0, (await CliRun.RunAsync(environment, "create-config", "--bucket", bucket, "--function", "wren-data-fn")).ExitCode);
        CliRun granted = await CliRun.RunAsync(environment, "create-role", "--data-bucket", "genomes-raw", "--data-bucket", "s3://logs.example-2026");
        Assert.True(granted.ExitCode == 0, granted.ToString());
        Assert.Contains($"may read and write s3://{bucket}, s3://genomes-raw, s3://logs.example-2026", granted.Error);
        Assert.Equal(["genomes-raw", "logs.example-2026"], WrenConfigFile.Read(_configPath)!.DataBuckets!);

        CliRun again = await CliRun.RunAsync(environment, "create-role");
        Assert.True(again.ExitCode == 0, again.ToString());
        using var iam = new IamClient(AwsContext.FromEnvironment(environment: environment));
        using JsonDocument access = JsonDocument.Parse((await iam.GetRolePolicyAsync("wren-data-fn-role", "wren-access"))!);
        var statements = access.RootElement.GetProperty("Statement").EnumerateArray().ToDictionary(s => s.GetProperty("Sid").GetString()!);
        Assert.Equal([$"arn:aws:s3:::{bucket}/*", "arn:aws:s3:::genomes-raw/*", "arn:aws:s3:::logs.example-2026/*"], statements["WrenObjects"].GetProperty("Resource").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal([$"arn:aws:s3:::{bucket}", "arn:aws:s3:::genomes-raw", "arn:aws:s3:::logs.example-2026"], statements["WrenListing"].GetProperty("Resource").EnumerateArray().Select(r => r.GetString()));
        Assert.DoesNotContain(access.RootElement.GetRawText(), "\"*\"");

        CliRun bad = await CliRun.RunAsync(environment, "create-role", "--data-bucket", "s3://Bad_Bucket/key");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--data-bucket 's3://Bad_Bucket/key' is not a bucket name", bad.Error);
    }
}
