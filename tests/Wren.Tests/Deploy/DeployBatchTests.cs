using System.IO.Compression;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Wren.Aws.Batch;
using Wren.Aws.Iam;
using Wren.Backends.Batch;
using Wren.Configuration;
using Wren.Deploy.Deployment;
using Wren.Storage;
using Wren.Tests.Support;

namespace Wren.Tests.Deploy;

/// <summary>
/// <c>wren deploy-batch</c> against moto's Batch, IAM and S3 with the real worker bundle, read back through the clients.
/// Every test shares one moto and the fixture's first deployment; those that deploy again look their resources up by
/// the ARNs they were given, so new job definition revisions from other tests do not disturb them.
/// </summary>
[Trait("Category", "Slow")]
public sealed class DeployBatchTests(BatchDeploymentFixture fixture) : IClassFixture<BatchDeploymentFixture>
{

    private BatchClient Batch() => new(fixture.Aws.Context());

    private IamClient Iam() => new(fixture.Aws.Context());

    private CliRun Deployed()
    {
        fixture.Aws.Moto.Require();
        CliRun run = fixture.FirstDeploy!;
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    private async Task<JobDefinition> DefinitionAsync(string name, string arn)
    {
        using BatchClient batch = Batch();
        return Assert.Single(await batch.DescribeJobDefinitionsAsync(name), d => d.JobDefinitionArn == arn);
    }

    private static string Requirement(ContainerProperties container, string type) => Assert.Single(container.ResourceRequirements!, r => r.Type == type).Value;

    [RequiresToolFact("moto_server")]
    public void FirstDeploy_PrintsTheQueueAndDefinitionAndRecordsThem()
    {
        CliRun run = Deployed();
        WrenConfigFile config = fixture.Config;
        Assert.Matches(@"^arn:aws:batch:us-east-1:\d{12}:job-queue/wren-batch$", config.BatchJobQueue);
        Assert.Matches(@"^arn:aws:batch:us-east-1:\d{12}:job-definition/wren-worker:\d+$", config.BatchJobDefinition);
        Assert.Matches($@"^arn:aws:iam::\d{{12}}:role/{BatchDeploymentFixture.Name}-batch-job-role$", config.BatchJobRoleArn);
        Assert.Equal(BatchDeploymentSettings.StockImage, config.BatchImage);
        Assert.Null(config.BatchGpuJobQueue);
        Assert.Null(config.BatchGpuJobDefinition);
        Assert.Equal([$"Job queue:          {config.BatchJobQueue}", $"Job definition:     {config.BatchJobDefinition}"], run.Out.TrimEnd().Split('\n'));
        Assert.Equal(fixture.Bucket, config.Bucket);
    }

    [RequiresToolFact("moto_server")]
    public async Task ComputeEnvironment_IsFargateInTheGivenNetworkAndItsQueuePointsToIt()
    {
        Deployed();
        using BatchClient batch = Batch();
        ComputeEnvironmentDetail environment = Assert.Single(await batch.DescribeComputeEnvironmentsAsync([BatchDeploymentSettings.ComputeEnvironment]));
        Assert.Equal("MANAGED", environment.Type);
        Assert.Equal(BatchState.Enabled, environment.State);
        Assert.Equal(ComputeResources.Fargate, environment.ComputeResources!.Type);
        Assert.Equal([fixture.Aws.SubnetId], environment.ComputeResources.Subnets);
        Assert.Equal([fixture.Aws.SecurityGroupId], environment.ComputeResources.SecurityGroupIds);
        Assert.Equal(BatchDeploymentFixture.MaxvCpus, environment.ComputeResources.MaxvCpus);
        Assert.Equal(fixture.Aws.ServiceRoleArn, environment.ServiceRole);

        JobQueueDetail queue = Assert.Single(await batch.DescribeJobQueuesAsync([fixture.Config.BatchJobQueue!]));
        Assert.Equal(BatchDeploymentSettings.JobQueue, queue.JobQueueName);
        Assert.Equal(BatchState.Enabled, queue.State);
        ComputeEnvironmentOrder order = Assert.Single(queue.ComputeEnvironmentOrder!);
        Assert.Equal(environment.ComputeEnvironmentArn, order.ComputeEnvironment);
    }

    [RequiresToolFact("moto_server")]
    public async Task JobDefinition_RunsTheStockImageOnFargateWithTheRolesAndNoBatchRetries()
    {
        Deployed();
        using IamClient iam = Iam();
        WrenConfigFile config = fixture.Config;
        JobDefinition definition = await DefinitionAsync(BatchDeploymentSettings.JobDefinition, config.BatchJobDefinition!);
        ContainerProperties container = definition.ContainerProperties!;
        Assert.Equal("container", definition.Type);
        Assert.Equal([RegisterJobDefinitionRequest.Fargate], definition.PlatformCapabilities);
        Assert.Equal(BatchDeploymentSettings.StockImage, container.Image);
        Assert.Equal(BatchDeploymentSettings.StockCommand, container.Command);
        Assert.Equal(config.BatchJobRoleArn, container.JobRoleArn);
        IamClient.Role execution = (await iam.GetRoleAsync(BatchDeploymentFixture.Name + BatchDeployer.ExecutionRoleSuffix))!;
        Assert.Equal(execution.Arn, container.ExecutionRoleArn);
        Assert.Equal("1", Requirement(container, ResourceRequirement.Vcpu));
        Assert.Equal("2048", Requirement(container, ResourceRequirement.Memory));
        Assert.DoesNotContain(container.ResourceRequirements!, r => r.Type == ResourceRequirement.Gpu);
        Assert.Equal("ENABLED", container.NetworkConfiguration!.AssignPublicIp);
        Assert.Equal(1, definition.RetryStrategy!.Attempts);
        EnvironmentVariable protocol = Assert.Single(container.Environment!);
        Assert.Equal(("WREN_PROTOCOL", Wren.Protocol.WrenProtocol.Version.ToString()), (protocol.Name, protocol.Value));
    }

    [RequiresToolFact("moto_server")]
    public async Task JobRole_TrustsEcsTasksAndMayUseOnlyThePrefixAndTheBatchLogGroup()
    {
        Deployed();
        using IamClient iam = Iam();
        string roleName = BatchDeploymentFixture.Name + BatchDeploymentSettings.JobRoleSuffix;
        IamClient.Role role = (await iam.GetRoleAsync(roleName))!;
        Assert.Equal(fixture.Config.BatchJobRoleArn, role.Arn);
        Assert.Equal(["ecs-tasks.amazonaws.com"], TrustedServices(role));
        Assert.Equal([RolePolicies.AccessPolicyName], await iam.ListRolePoliciesAsync(roleName));
        Assert.Empty(await iam.ListAttachedRolePoliciesAsync(roleName));

        using JsonDocument access = JsonDocument.Parse((await iam.GetRolePolicyAsync(roleName, RolePolicies.AccessPolicyName))!);
        var statements = access.RootElement.GetProperty("Statement").EnumerateArray().ToDictionary(s => s.GetProperty("Sid").GetString()!);
        Assert.Equal(["WrenListing", "WrenLogs", "WrenObjects"], statements.Keys.Order());
        Assert.Equal([$"arn:aws:s3:::{fixture.Bucket}/*"], Strings(statements["WrenObjects"].GetProperty("Resource")));
        Assert.Equal([$"arn:aws:s3:::{fixture.Bucket}"], Strings(statements["WrenListing"].GetProperty("Resource")));
        string[] logs = Strings(statements["WrenLogs"].GetProperty("Resource"));
        Assert.Equal(2, logs.Length);
        Assert.All(logs, r => Assert.Matches(@"^arn:aws:logs:us-east-1:\d{12}:log-group:/aws/batch/job(:\*)?$", r));
        Assert.DoesNotContain("\"*\"", access.RootElement.GetRawText());
    }

    [RequiresToolFact("moto_server")]
    public async Task ExecutionRole_TrustsEcsTasksAndHasTheTaskExecutionPolicyOnly()
    {
        Deployed();
        using IamClient iam = Iam();
        string roleName = BatchDeploymentFixture.Name + BatchDeployer.ExecutionRoleSuffix;
        IamClient.Role role = (await iam.GetRoleAsync(roleName))!;
        Assert.Equal(["ecs-tasks.amazonaws.com"], TrustedServices(role));
        Assert.Equal(["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"], await iam.ListAttachedRolePoliciesAsync(roleName));
        Assert.Empty(await iam.ListRolePoliciesAsync(roleName));
    }

    [RequiresToolFact("moto_server")]
    public async Task Bundle_IsInTheBucketAtItsKeyAsTheFrameworkDependentWorkerZip()
    {
        Deployed();
        RuntimePackage local = RuntimePackage.FromZip(fixture.BundlePath);
        Assert.Equal(fixture.BundlePath, fixture.Package.Out.Trim());
        Assert.EndsWith($"sha256 {local.Sha256}", fixture.Package.Error.Trim());
        string key = BatchDeploymentSettings.BundleKey(BatchDeploymentFixture.Prefix, local.Sha256);
        Assert.Equal(key, fixture.Config.BatchBundleKey);
        Assert.StartsWith("team/wren/runtime/wren-worker-", key);
        Assert.EndsWith(".zip", key);

        using IAmazonS3 s3 = S3Storage.CreateClient(MotoServer.Region, environment: fixture.Aws.Moto.Environment());
        using GetObjectResponse response = await s3.GetObjectAsync(fixture.Bucket, key);
        using var uploaded = new MemoryStream();
        await response.ResponseStream.CopyToAsync(uploaded);
        Assert.Equal(await File.ReadAllBytesAsync(fixture.BundlePath), uploaded.ToArray());

        uploaded.Position = 0;
        using var zip = new ZipArchive(uploaded, ZipArchiveMode.Read);
        string[] names = [.. zip.Entries.Select(e => e.FullName)];
        Assert.Contains("Wren.LambdaRuntime.dll", names);
        Assert.Contains("Wren.LambdaRuntime.runtimeconfig.json", names);
        Assert.DoesNotContain("System.Private.CoreLib.dll", names);
        Assert.DoesNotContain(names, name => name.EndsWith(".pdb", StringComparison.Ordinal) || name.StartsWith('/') || name.Contains("..") || name.Contains('/'));
    }

    [RequiresToolFact("moto_server")]
    public async Task DeployTwice_KeepsTheSameEnvironmentQueueAndDefinitionAndUploadsNothing()
    {
        Deployed();
        using BatchClient batch = Batch();
        string configPath = fixture.CopyConfig();
        CliRun first = await fixture.DeployAsync(configPath);
        Assert.True(first.ExitCode == 0, first.ToString());
        WrenConfigFile before = WrenConfigFile.Read(configPath)!;
        // Without --subnets and --security-groups, the environment's own are kept.
        CliRun second = await CliRun.RunAsync(fixture.Aws.Moto.Environment(configPath), "deploy-batch", "--bundle", fixture.BundlePath,
            "--service-role", fixture.Aws.ServiceRoleArn, "--max-vcpus", BatchDeploymentFixture.MaxvCpus.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(first.Out, second.Out);
        Assert.Contains("already there", second.Error);
        Assert.Contains($"Job definition {BatchDeploymentSettings.JobDefinition}:", second.Error);
        Assert.Contains("is up to date", second.Error);
        Assert.Equal(before, WrenConfigFile.Read(configPath));
        Assert.Equal(fixture.Config.BatchJobQueue, before.BatchJobQueue);
        ComputeEnvironmentDetail environment = Assert.Single(await batch.DescribeComputeEnvironmentsAsync([BatchDeploymentSettings.ComputeEnvironment]));
        Assert.Equal([fixture.Aws.SubnetId], environment.ComputeResources!.Subnets);
        Assert.Single(await batch.DescribeJobQueuesAsync([BatchDeploymentSettings.JobQueue]));
    }

    [RequiresToolFact("moto_server")]
    public async Task Gpu_AddsAnEc2EnvironmentQueueAndDefinitionWithOneGpu()
    {
        Deployed();
        using BatchClient batch = Batch();
        string configPath = fixture.CopyConfig();
        CliRun run = await fixture.DeployAsync(configPath, "--gpu", "--instance-role", fixture.Aws.InstanceProfileArn);
        Assert.True(run.ExitCode == 0, run.ToString());
        WrenConfigFile config = WrenConfigFile.Read(configPath)!;
        Assert.Matches(@"^arn:aws:batch:us-east-1:\d{12}:job-queue/wren-batch-gpu$", config.BatchGpuJobQueue);
        Assert.Matches(@"^arn:aws:batch:us-east-1:\d{12}:job-definition/wren-worker-gpu:\d+$", config.BatchGpuJobDefinition);
        Assert.Contains($"GPU job queue:      {config.BatchGpuJobQueue}", run.Out);
        Assert.Contains($"GPU job definition: {config.BatchGpuJobDefinition}", run.Out);

        ComputeEnvironmentDetail environment = Assert.Single(await batch.DescribeComputeEnvironmentsAsync([BatchDeploymentSettings.GpuComputeEnvironment]));
        ComputeResources resources = environment.ComputeResources!;
        Assert.Equal(ComputeResources.Ec2, resources.Type);
        Assert.Equal(["g4dn.xlarge", "g5.xlarge"], resources.InstanceTypes);
        Assert.Equal(fixture.Aws.InstanceProfileArn, resources.InstanceRole);
        Assert.Equal(0, resources.MinvCpus);
        Assert.Equal(BatchDeploymentFixture.MaxvCpus, resources.MaxvCpus);
        Assert.Equal([fixture.Aws.SubnetId], resources.Subnets);
        JobQueueDetail queue = Assert.Single(await batch.DescribeJobQueuesAsync([config.BatchGpuJobQueue!]));
        Assert.Equal(environment.ComputeEnvironmentArn, Assert.Single(queue.ComputeEnvironmentOrder!).ComputeEnvironment);

        JobDefinition definition = await DefinitionAsync(BatchDeploymentSettings.GpuJobDefinition, config.BatchGpuJobDefinition!);
        ContainerProperties container = definition.ContainerProperties!;
        Assert.Equal([RegisterJobDefinitionRequest.Ec2], definition.PlatformCapabilities);
        Assert.Equal("1", Requirement(container, ResourceRequirement.Gpu));
        Assert.Equal("1", Requirement(container, ResourceRequirement.Vcpu));
        Assert.Equal("2048", Requirement(container, ResourceRequirement.Memory));
        Assert.Equal(BatchDeploymentSettings.StockImage, container.Image);
        Assert.Equal(BatchDeploymentSettings.StockCommand, container.Command);
        Assert.Equal(config.BatchJobRoleArn, container.JobRoleArn);
        Assert.Equal(1, definition.RetryStrategy!.Attempts);
        Assert.Equal(config.BatchJobQueue, fixture.Config.BatchJobQueue);
    }

    [RequiresToolFact("moto_server")]
    public async Task Gpu_WithoutTheInstanceProfile_SaysHowToGiveOne()
    {
        Deployed();
        CliRun run = await fixture.DeployAsync(fixture.CopyConfig(), "--gpu");
        Assert.Equal(1, run.ExitCode);
        // Refused before anything is uploaded or created.
        Assert.StartsWith("wren deploy-batch: Instance profile ecsInstanceRole does not exist", run.Error);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.Contains("--instance-role", run.Error);
    }

    [RequiresToolFact("moto_server")]
    public async Task CustomImage_RunsTheWorkerInsideAndDeploysNoBundle()
    {
        Deployed();
        string configPath = fixture.CopyConfig();
        const string image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/wren-worker:cuda";
        CliRun run = await CliRun.RunAsync(fixture.Aws.Moto.Environment(configPath), "deploy-batch", "--image", image,
            "--service-role", fixture.Aws.ServiceRoleArn, "--max-vcpus", BatchDeploymentFixture.MaxvCpus.ToString(), "--vcpus", "2", "--memory", "4096");
        Assert.True(run.ExitCode == 0, run.ToString());
        WrenConfigFile config = WrenConfigFile.Read(configPath)!;
        Assert.Null(config.BatchBundleKey);
        Assert.Equal(image, config.BatchImage);
        Assert.NotEqual(fixture.Config.BatchJobDefinition, config.BatchJobDefinition);
        ContainerProperties container = (await DefinitionAsync(BatchDeploymentSettings.JobDefinition, config.BatchJobDefinition!)).ContainerProperties!;
        Assert.Equal(image, container.Image);
        Assert.Equal(BatchDeploymentSettings.CustomCommand, container.Command);
        Assert.Equal(("2", "4096"), (Requirement(container, ResourceRequirement.Vcpu), Requirement(container, ResourceRequirement.Memory)));
    }

    [RequiresToolFact("moto_server")]
    public async Task NoSubnets_SaysInOneLineHowToFindThem()
    {
        Deployed();
        // In another region there is no compute environment whose network could be reused.
        string configPath = fixture.CopyConfig(config => config with { Region = "us-west-2" });
        CliRun run = await CliRun.RunAsync(fixture.Aws.Moto.Environment(configPath), "deploy-batch", "--bundle", fixture.BundlePath, "--security-groups", fixture.Aws.SecurityGroupId);
        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.StartsWith("wren deploy-batch: No subnets for the compute environment: pass --subnets <subnet-id>,...", run.Error);
        Assert.Contains("`aws ec2 describe-subnets --filters Name=default-for-az,Values=true`", run.Error);
        Assert.Empty(run.Out);
        Assert.Equal(fixture.Config with { Region = "us-west-2" }, WrenConfigFile.Read(configPath));
    }

    private static string[] TrustedServices(IamClient.Role role)
    {
        using JsonDocument trust = JsonDocument.Parse(role.AssumeRolePolicyDocument);
        JsonElement statement = Assert.Single(trust.RootElement.GetProperty("Statement").EnumerateArray());
        Assert.Equal("sts:AssumeRole", statement.GetProperty("Action").GetString());
        return Strings(statement.GetProperty("Principal").GetProperty("Service"));
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
