using System.Net;
using System.Text.Json;
using Wren.Aws;
using Wren.Aws.Batch;
using Wren.Tests.Support;

namespace Wren.Tests.Aws;

/// <summary>
/// The Batch client against moto's Batch control plane: what it sends, checked on the wire, and what moto answers,
/// read back through the client. moto runs no jobs here (see <see cref="BatchMoto"/>), so job statuses are not
/// asserted beyond their counts.
/// </summary>
[Trait("Category", "Slow")]
public sealed class BatchClientTests(BatchMoto aws) : IClassFixture<BatchMoto>, IDisposable
{
    private const string Account = "123456789012";

    private readonly RecordingHandler _wire = new();

    private BatchClient Client() => new(aws.Context(), _wire);

    public void Dispose() => _wire.Dispose();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private static ResourceRequirement Requirement(string type, string value) => new() { Type = type, Value = value };

    private static EnvironmentVariable Variable(string name, string value) => new() { Name = name, Value = value };

    private static string Arn(string resource) => $"arn:aws:batch:{MotoServer.Region}:{Account}:{resource}";

    private CreateComputeEnvironmentRequest FargateEnvironment(string name, int maxvCpus = 16, string? state = null) => new()
    {
        ComputeEnvironmentName = name,
        State = state ?? BatchState.Enabled,
        ComputeResources = new ComputeResources
        {
            Type = ComputeResources.Fargate,
            MaxvCpus = maxvCpus,
            Subnets = [aws.SubnetId],
            SecurityGroupIds = [aws.SecurityGroupId],
        },
        ServiceRole = aws.ServiceRoleArn,
    };

    private static RegisterJobDefinitionRequest FargateDefinition(string name) => new()
    {
        JobDefinitionName = name,
        PlatformCapabilities = [RegisterJobDefinitionRequest.Fargate],
        ContainerProperties = new ContainerProperties
        {
            Image = $"{Account}.dkr.ecr.us-east-1.amazonaws.com/wren-worker:1.2",
            Command = ["dotnet", "Wren.Worker.dll", "--protocol", "1"],
            JobRoleArn = $"arn:aws:iam::{Account}:role/wren-job",
            ExecutionRoleArn = $"arn:aws:iam::{Account}:role/wren-execution",
            ResourceRequirements = [Requirement(ResourceRequirement.Vcpu, "0.5"), Requirement(ResourceRequirement.Memory, "1024")],
            Environment = [Variable("WREN_BUCKET", "wren-data"), Variable("WREN_PREFIX", "team/wren")],
            NetworkConfiguration = new NetworkConfiguration { AssignPublicIp = "ENABLED" },
            FargatePlatformConfiguration = new FargatePlatformConfiguration { PlatformVersion = "1.4.0" },
            RuntimePlatform = new RuntimePlatform { OperatingSystemFamily = "LINUX", CpuArchitecture = "ARM64" },
            EphemeralStorage = new EphemeralStorage { SizeInGiB = 30 },
        },
        RetryStrategy = new RetryStrategy { Attempts = 3 },
        Timeout = new JobTimeout { AttemptDurationSeconds = 900 },
    };

    /// <summary>A Fargate compute environment, a queue on it and a job definition, named afresh for each test.</summary>
    private async Task<(string Queue, string QueueArn, RegisterJobDefinitionResult Definition)> CreateQueueAndDefinitionAsync(BatchClient batch)
    {
        EnsuredResource environment = await batch.CreateOrUpdateComputeEnvironmentAsync(FargateEnvironment(Unique("wren-ce")));
        string queue = Unique("wren-queue");
        EnsuredResource created = await batch.CreateOrUpdateJobQueueAsync(new CreateJobQueueRequest
        {
            JobQueueName = queue,
            Priority = 1,
            ComputeEnvironmentOrder = [new ComputeEnvironmentOrder { Order = 1, ComputeEnvironment = environment.Arn }],
        });
        RegisterJobDefinitionResult definition = await batch.RegisterJobDefinitionAsync(FargateDefinition(Unique("wren-def")));
        return (queue, created.Arn, definition);
    }

    [RequiresToolFact("moto_server")]
    public async Task RegisterJobDefinition_Fargate_ReadsBackExactly()
    {
        aws.Moto.Require();
        using BatchClient batch = Client();
        string name = Unique("wren-fargate");
        RegisterJobDefinitionRequest request = FargateDefinition(name);

        RegisterJobDefinitionResult registered = await batch.RegisterJobDefinitionAsync(request);

        Assert.Equal(name, registered.JobDefinitionName);
        Assert.Equal(1, registered.Revision);
        Assert.Equal(Arn($"job-definition/{name}:1"), registered.JobDefinitionArn);
        JsonElement sent = Assert.Single(_wire.Bodies("/v1/registerjobdefinition"));
        Assert.Equal(["jobDefinitionName", "type", "containerProperties", "platformCapabilities", "retryStrategy", "timeout"], sent.EnumerateObject().Select(p => p.Name));
        Assert.Equal("container", sent.GetProperty("type").GetString());
        Assert.Equal("ARM64", sent.GetProperty("containerProperties").GetProperty("runtimePlatform").GetProperty("cpuArchitecture").GetString());
        Assert.Equal(30, sent.GetProperty("containerProperties").GetProperty("ephemeralStorage").GetProperty("sizeInGiB").GetInt32());

        JobDefinition definition = Assert.Single(await batch.DescribeJobDefinitionsAsync(name));
        Assert.Equal(registered.JobDefinitionArn, definition.JobDefinitionArn);
        Assert.Equal(name, definition.JobDefinitionName);
        Assert.Equal(1, definition.Revision);
        Assert.Equal("ACTIVE", definition.Status);
        Assert.Equal("container", definition.Type);
        Assert.Equal(["FARGATE"], definition.PlatformCapabilities!);
        Assert.Equal(3, definition.RetryStrategy!.Attempts);
        Assert.Equal(900, definition.Timeout!.AttemptDurationSeconds);
        ContainerProperties expected = request.ContainerProperties, container = definition.ContainerProperties!;
        Assert.Equal(expected.Image, container.Image);
        Assert.Equal(expected.Command!, container.Command!);
        Assert.Equal(expected.JobRoleArn, container.JobRoleArn);
        Assert.Equal(expected.ExecutionRoleArn, container.ExecutionRoleArn);
        Assert.Equal(expected.ResourceRequirements!, container.ResourceRequirements!);
        Assert.Equal(expected.Environment!, container.Environment!);
        Assert.Equal(expected.NetworkConfiguration, container.NetworkConfiguration);
        Assert.Equal(expected.FargatePlatformConfiguration, container.FargatePlatformConfiguration);
        Assert.Equal(expected.RuntimePlatform, container.RuntimePlatform);
        Assert.Equal(expected.EphemeralStorage, container.EphemeralStorage);
        Assert.Equal($$"""{"jobDefinitionName":"{{name}}","status":"ACTIVE"}""", Assert.Single(_wire.Bodies("/v1/describejobdefinitions")).GetRawText());
    }

    [RequiresToolFact("moto_server")]
    public async Task RegisterJobDefinition_Ec2WithGpu_EachRegistrationIsANewRevision()
    {
        aws.Moto.Require();
        using BatchClient batch = Client();
        string name = Unique("wren-gpu");
        var request = new RegisterJobDefinitionRequest
        {
            JobDefinitionName = name,
            PlatformCapabilities = [RegisterJobDefinitionRequest.Ec2],
            ContainerProperties = new ContainerProperties
            {
                Image = "public.ecr.aws/wren/worker:gpu",
                Command = ["dotnet", "Wren.Worker.dll"],
                ResourceRequirements =
                [
                    Requirement(ResourceRequirement.Vcpu, "4"),
                    Requirement(ResourceRequirement.Memory, "16384"),
                    Requirement(ResourceRequirement.Gpu, "1"),
                ],
            },
            RetryStrategy = new RetryStrategy { Attempts = 1 },
            Timeout = new JobTimeout { AttemptDurationSeconds = 3600 },
        };

        RegisterJobDefinitionResult first = await batch.RegisterJobDefinitionAsync(request);
        RegisterJobDefinitionResult second = await batch.RegisterJobDefinitionAsync(request);

        Assert.Equal([1, 2], new[] { first.Revision, second.Revision });
        Assert.Equal(Arn($"job-definition/{name}:2"), second.JobDefinitionArn);
        IReadOnlyList<JobDefinition> revisions = await batch.DescribeJobDefinitionsAsync(name);
        Assert.Equal([1, 2], revisions.Select(d => d.Revision).Order());
        JobDefinition latest = revisions.Single(d => d.Revision == 2);
        Assert.Equal(["EC2"], latest.PlatformCapabilities!);
        Assert.Equal(request.ContainerProperties.ResourceRequirements!, latest.ContainerProperties!.ResourceRequirements!);
        Assert.Equal("1", latest.ContainerProperties.ResourceRequirements!.Single(r => r.Type == "GPU").Value);
        Assert.Null(latest.ContainerProperties.NetworkConfiguration);
        Assert.Equal(1, latest.RetryStrategy!.Attempts);
        Assert.Equal(3600, latest.Timeout!.AttemptDurationSeconds);
        Assert.Empty(await batch.DescribeJobDefinitionsAsync(Unique("wren-never-registered")));
    }

    [RequiresToolFact("moto_server")]
    public async Task CreateOrUpdate_FargateEnvironmentAndQueue_TwiceCreatesOnceAndSendsNoUpdate()
    {
        aws.Moto.Require();
        using BatchClient batch = Client();
        string environmentName = Unique("wren-ce");
        string queueName = Unique("wren-queue");
        CreateComputeEnvironmentRequest environmentRequest = FargateEnvironment(environmentName);

        EnsuredResource environment = await batch.CreateOrUpdateComputeEnvironmentAsync(environmentRequest);
        var queueRequest = new CreateJobQueueRequest
        {
            JobQueueName = queueName,
            Priority = 10,
            ComputeEnvironmentOrder = [new ComputeEnvironmentOrder { Order = 1, ComputeEnvironment = environment.Arn }],
        };
        EnsuredResource queue = await batch.CreateOrUpdateJobQueueAsync(queueRequest);
        int before = batch.Http.RequestsSent;
        EnsuredResource environmentAgain = await batch.CreateOrUpdateComputeEnvironmentAsync(environmentRequest);
        EnsuredResource queueAgain = await batch.CreateOrUpdateJobQueueAsync(queueRequest);

        Assert.Equal(new EnsuredResource(environmentName, Arn($"compute-environment/{environmentName}"), Created: true), environment);
        Assert.Equal(new EnsuredResource(queueName, Arn($"job-queue/{queueName}"), Created: true), queue);
        Assert.Equal(environment with { Created = false }, environmentAgain);
        Assert.Equal(queue with { Created = false }, queueAgain);
        Assert.Equal(2, batch.Http.RequestsSent - before);
        Assert.Single(_wire.Sent, r => r.Path == "/v1/createcomputeenvironment");
        Assert.Single(_wire.Sent, r => r.Path == "/v1/createjobqueue");
        Assert.DoesNotContain(_wire.Sent, r => r.Path.StartsWith("/v1/update", StringComparison.Ordinal));

        ComputeEnvironmentDetail detail = Assert.Single(await batch.DescribeComputeEnvironmentsAsync([environmentName]));
        Assert.Equal(environment.Arn, detail.ComputeEnvironmentArn);
        Assert.Equal("MANAGED", detail.Type);
        Assert.Equal("ENABLED", detail.State);
        Assert.Equal("VALID", detail.Status);
        Assert.Equal(aws.ServiceRoleArn, detail.ServiceRole);
        Assert.Equal("FARGATE", detail.ComputeResources!.Type);
        Assert.Equal(16, detail.ComputeResources.MaxvCpus);
        Assert.Equal([aws.SubnetId], detail.ComputeResources.Subnets);
        Assert.Equal([aws.SecurityGroupId], detail.ComputeResources.SecurityGroupIds);
        JobQueueDetail queueDetail = Assert.Single(await batch.DescribeJobQueuesAsync([queueName]));
        Assert.Equal(queue.Arn, queueDetail.JobQueueArn);
        Assert.Equal("ENABLED", queueDetail.State);
        Assert.Equal("VALID", queueDetail.Status);
        Assert.Equal(10, queueDetail.Priority);
        Assert.Equal(queueRequest.ComputeEnvironmentOrder, queueDetail.ComputeEnvironmentOrder!);
        Assert.Empty(await batch.DescribeJobQueuesAsync([Unique("wren-no-queue")]));
    }

    [RequiresToolFact("moto_server")]
    public async Task CreateOrUpdate_ChangedSettings_UpdatesOnlyWhatDiffers()
    {
        aws.Moto.Require();
        using BatchClient batch = Client();
        string environmentName = Unique("wren-ce");
        string queueName = Unique("wren-queue");
        EnsuredResource environment = await batch.CreateOrUpdateComputeEnvironmentAsync(FargateEnvironment(environmentName));
        List<ComputeEnvironmentOrder> order = [new ComputeEnvironmentOrder { Order = 1, ComputeEnvironment = environment.Arn }];
        EnsuredResource queue = await batch.CreateOrUpdateJobQueueAsync(new CreateJobQueueRequest { JobQueueName = queueName, Priority = 1, ComputeEnvironmentOrder = order });

        EnsuredResource disabled = await batch.CreateOrUpdateComputeEnvironmentAsync(FargateEnvironment(environmentName, maxvCpus: 64, state: BatchState.Disabled));
        EnsuredResource reprioritised = await batch.CreateOrUpdateJobQueueAsync(new CreateJobQueueRequest { JobQueueName = queueName, Priority = 5, ComputeEnvironmentOrder = order });

        Assert.False(disabled.Created);
        Assert.False(reprioritised.Created);
        JsonElement environmentUpdate = Assert.Single(_wire.Bodies("/v1/updatecomputeenvironment"));
        Assert.Equal(
            $$$"""{"computeEnvironment":"{{{environment.Arn}}}","state":"DISABLED","computeResources":{"maxvCpus":64}}""",
            environmentUpdate.GetRawText());
        JsonElement queueUpdate = Assert.Single(_wire.Bodies("/v1/updatejobqueue"));
        Assert.Equal($$"""{"jobQueue":"{{queue.Arn}}","priority":5}""", queueUpdate.GetRawText());
        Assert.Equal("DISABLED", Assert.Single(await batch.DescribeComputeEnvironmentsAsync([environmentName])).State);
        Assert.Equal(5, Assert.Single(await batch.DescribeJobQueuesAsync([queue.Arn])).Priority);
    }

    [RequiresToolFact("moto_server")]
    public async Task CreateOrUpdate_OtherNetwork_SendsTheNewSubnetsAndSecurityGroupsOnly()
    {
        aws.Moto.Require();
        using BatchClient batch = Client();
        string environmentName = Unique("wren-ce");
        CreateComputeEnvironmentRequest request = FargateEnvironment(environmentName);
        EnsuredResource environment = await batch.CreateOrUpdateComputeEnvironmentAsync(request);

        // Another order of the same sets is no change; moto keeps the network as created, so only the wire shows the update.
        await batch.CreateOrUpdateComputeEnvironmentAsync(request with { ComputeResources = request.ComputeResources with { Subnets = [aws.SubnetId, aws.SubnetId] } });
        Assert.Empty(_wire.Bodies("/v1/updatecomputeenvironment"));
        await batch.CreateOrUpdateComputeEnvironmentAsync(request with
        {
            ComputeResources = request.ComputeResources with { Subnets = ["subnet-0a1b2c3d", aws.SubnetId], SecurityGroupIds = ["sg-0a1b2c3d"] },
        });
        JsonElement update = Assert.Single(_wire.Bodies("/v1/updatecomputeenvironment"));
        Assert.Equal(
            $$$"""{"computeEnvironment":"{{{environment.Arn}}}","computeResources":{"subnets":["subnet-0a1b2c3d","{{{aws.SubnetId}}}"],"securityGroupIds":["sg-0a1b2c3d"]}}""",
            update.GetRawText());
    }

    [RequiresToolFact("moto_server")]
    public async Task CreateComputeEnvironment_Ec2_ReadsBackItsInstanceSettings()
    {
        aws.Moto.Require();
        using BatchClient batch = Client();
        string name = Unique("wren-ec2");
        var resources = new ComputeResources
        {
            Type = ComputeResources.Ec2,
            MinvCpus = 0,
            MaxvCpus = 256,
            InstanceTypes = ["c5.large", "m5"],
            InstanceRole = aws.InstanceProfileArn,
            Subnets = [aws.SubnetId],
            SecurityGroupIds = [aws.SecurityGroupId],
        };

        ComputeEnvironmentResult created = await batch.CreateComputeEnvironmentAsync(new CreateComputeEnvironmentRequest
        {
            ComputeEnvironmentName = name,
            ComputeResources = resources,
            ServiceRole = aws.ServiceRoleArn,
            State = BatchState.Enabled,
        });

        Assert.Equal(Arn($"compute-environment/{name}"), created.ComputeEnvironmentArn);
        ComputeEnvironmentDetail detail = Assert.Single(await batch.DescribeComputeEnvironmentsAsync([created.ComputeEnvironmentArn]));
        ComputeResources read = detail.ComputeResources!;
        Assert.Equal("EC2", read.Type);
        Assert.Equal(0, read.MinvCpus);
        Assert.Equal(256, read.MaxvCpus);
        Assert.Equal(["c5.large", "m5"], read.InstanceTypes!);
        Assert.Equal(aws.InstanceProfileArn, read.InstanceRole);
        var fargate = FargateEnvironment(name);
        var error = await Assert.ThrowsAsync<WrenException>(() => batch.CreateOrUpdateComputeEnvironmentAsync(fargate));
        Assert.Contains($"Compute environment {name} runs on EC2, not FARGATE", error.Message);
    }

    [RequiresToolFact("moto_server")]
    public async Task SubmitJob_ArrayWithOverrides_SendsAndReadsBackItsShape()
    {
        aws.Moto.Require();
        using BatchClient batch = Client();
        (string queue, string queueArn, RegisterJobDefinitionResult definition) = await CreateQueueAndDefinitionAsync(batch);
        var request = new SubmitJobRequest
        {
            JobName = "wren-map-42",
            JobQueue = queue,
            JobDefinition = definition.JobDefinitionName,
            ArrayProperties = new ArrayProperties { Size = 3 },
            ContainerOverrides = new ContainerOverrides
            {
                Command = ["dotnet", "Wren.Worker.dll", "--job", "job-42"],
                Environment = [Variable("WREN_JOB", "job-42")],
                ResourceRequirements = [Requirement(ResourceRequirement.Vcpu, "1"), Requirement(ResourceRequirement.Memory, "2048")],
            },
            RetryStrategy = new RetryStrategy { Attempts = 2 },
            Timeout = new JobTimeout { AttemptDurationSeconds = 300 },
        };

        SubmitJobResult submitted = await batch.SubmitJobAsync(request);

        Assert.Equal("wren-map-42", submitted.JobName);
        Assert.True(Guid.TryParse(submitted.JobId, out _), submitted.JobId);
        Assert.Equal(Arn($"job/{submitted.JobId}"), submitted.JobArn);
        JsonElement sent = Assert.Single(_wire.Bodies("/v1/submitjob"));
        Assert.Equal(
            $$$"""
            {"jobName":"wren-map-42","jobQueue":"{{{queue}}}","jobDefinition":"{{{definition.JobDefinitionName}}}","arrayProperties":{"size":3},"containerOverrides":{"command":["dotnet","Wren.Worker.dll","--job","job-42"],"environment":[{"name":"WREN_JOB","value":"job-42"}],"resourceRequirements":[{"type":"VCPU","value":"1"},{"type":"MEMORY","value":"2048"}]},"retryStrategy":{"attempts":2},"timeout":{"attemptDurationSeconds":300}}
            """,
            sent.GetRawText());

        JobDetail parent = Assert.Single(await batch.DescribeJobsAsync([submitted.JobId]));
        Assert.Equal(submitted.JobId, parent.JobId);
        Assert.Equal(submitted.JobArn, parent.JobArn);
        Assert.Equal("wren-map-42", parent.JobName);
        Assert.Equal(queueArn, parent.JobQueue);
        Assert.Equal(definition.JobDefinitionArn, parent.JobDefinition);
        Assert.Equal(3, parent.ArrayProperties!.Size);
        Assert.Equal(3, parent.ArrayProperties.StatusSummary!.Values.Sum());
        Assert.Equal(request.ContainerOverrides.Command!, parent.Container!.Command!);
        Assert.Contains(Variable("WREN_JOB", "job-42"), parent.Container.Environment!);
        Assert.Contains(Variable("WREN_BUCKET", "wren-data"), parent.Container.Environment!);
        Assert.Equal(300, parent.Timeout!.AttemptDurationSeconds);
        Assert.InRange(parent.Created!.Value, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(10));

        string[] children = [.. Enumerable.Range(0, 3).Select(i => $"{submitted.JobId}:{i}")];
        IReadOnlyList<JobDetail> described = await batch.DescribeJobsAsync(children);
        Assert.Equal(children, described.Select(j => j.JobId).Order(StringComparer.Ordinal));
        Assert.All(described, child =>
        {
            Assert.Equal("wren-map-42", child.JobName);
            Assert.Equal(definition.JobDefinitionArn, child.JobDefinition);
            Assert.Equal(request.ContainerOverrides.Command!, child.Container!.Command!);
            Assert.Contains(child.Status, new[] { JobStatus.Submitted, JobStatus.Pending, JobStatus.Runnable, JobStatus.Starting, JobStatus.Running, JobStatus.Succeeded, JobStatus.Failed });
        });
    }

    [RequiresToolFact("moto_server")]
    public async Task SubmitJob_PlainJob_LeavesArrayPropertiesOut()
    {
        aws.Moto.Require();
        using BatchClient batch = Client();
        (string queue, _, RegisterJobDefinitionResult definition) = await CreateQueueAndDefinitionAsync(batch);

        SubmitJobResult submitted = await batch.SubmitJobAsync(new SubmitJobRequest { JobName = "wren-call", JobQueue = queue, JobDefinition = definition.JobDefinitionArn });

        JsonElement sent = Assert.Single(_wire.Bodies("/v1/submitjob"));
        Assert.Equal($$"""{"jobName":"wren-call","jobQueue":"{{queue}}","jobDefinition":"{{definition.JobDefinitionArn}}"}""", sent.GetRawText());
        JobDetail job = Assert.Single(await batch.DescribeJobsAsync([submitted.JobId]));
        Assert.Null(job.ArrayProperties);
        Assert.Equal(FargateDefinition("x").ContainerProperties.Command!, job.Container!.Command!);
    }

    [RequiresToolFact("moto_server")]
    public async Task DescribeJobs_150Ids_SplitsIntoCallsOf100And50()
    {
        aws.Moto.Require();
        using BatchClient batch = Client();
        (string queue, _, RegisterJobDefinitionResult definition) = await CreateQueueAndDefinitionAsync(batch);
        SubmitJobResult parent = await batch.SubmitJobAsync(new SubmitJobRequest
        {
            JobName = "wren-wide",
            JobQueue = queue,
            JobDefinition = definition.JobDefinitionArn,
            ArrayProperties = new ArrayProperties { Size = 150 },
        });
        string[] ids = [.. Enumerable.Range(0, 150).Select(i => $"{parent.JobId}:{i}")];
        int before = batch.Http.RequestsSent;

        IReadOnlyList<JobDetail> jobs = await batch.DescribeJobsAsync(ids);

        Assert.Equal(2, batch.Http.RequestsSent - before);
        IReadOnlyList<JsonElement> calls = _wire.Bodies("/v1/describejobs");
        Assert.Equal([100, 50], calls.Select(c => c.GetProperty("jobs").GetArrayLength()));
        Assert.Equal(ids, calls.SelectMany(c => c.GetProperty("jobs").EnumerateArray().Select(id => id.GetString()!)));
        Assert.Equal(ids.Order(StringComparer.Ordinal), jobs.Select(j => j.JobId).Order(StringComparer.Ordinal));
    }

    [RequiresToolFact("moto_server")]
    public async Task DescribeJobs_RepeatedAndUnknownIds_AsksOnceAndLeavesUnknownOut()
    {
        aws.Moto.Require();
        using BatchClient batch = Client();
        (string queue, _, RegisterJobDefinitionResult definition) = await CreateQueueAndDefinitionAsync(batch);
        SubmitJobResult job = await batch.SubmitJobAsync(new SubmitJobRequest { JobName = "wren-call", JobQueue = queue, JobDefinition = definition.JobDefinitionArn });

        IReadOnlyList<JobDetail> jobs = await batch.DescribeJobsAsync([job.JobId, "00000000-0000-0000-0000-000000000000", job.JobId]);

        Assert.Equal(job.JobId, Assert.Single(jobs).JobId);
        JsonElement sent = Assert.Single(_wire.Bodies("/v1/describejobs"));
        Assert.Equal($$"""{"jobs":["{{job.JobId}}","00000000-0000-0000-0000-000000000000"]}""", sent.GetRawText());
    }

    [Fact]
    public async Task DescribeJobs_NoIds_SendsNothing()
    {
        var context = new AwsContext(MotoServer.Region, new AwsCredentials("testing", "testing", null),
            environment: name => name == "AWS_ENDPOINT_URL" ? "http://127.0.0.1:9" : null);
        using var batch = new BatchClient(context, _wire);

        Assert.Empty(await batch.DescribeJobsAsync([]));

        Assert.Equal(0, batch.Http.RequestsSent);
    }

    [RequiresToolFact("moto_server")]
    public async Task TerminateJob_ReasonBecomesTheStatusReason()
    {
        aws.Moto.Require();
        using BatchClient batch = Client();
        (string queue, _, RegisterJobDefinitionResult definition) = await CreateQueueAndDefinitionAsync(batch);
        SubmitJobResult job = await batch.SubmitJobAsync(new SubmitJobRequest { JobName = "wren-call", JobQueue = queue, JobDefinition = definition.JobDefinitionArn });

        await batch.TerminateJobAsync(job.JobId, "Cancelled by WrenExecutor.Cancel");

        JsonElement sent = Assert.Single(_wire.Bodies("/v1/terminatejob"));
        Assert.Equal($$"""{"jobId":"{{job.JobId}}","reason":"Cancelled by WrenExecutor.Cancel"}""", sent.GetRawText());
        Assert.Equal("Cancelled by WrenExecutor.Cancel", Assert.Single(await batch.DescribeJobsAsync([job.JobId])).StatusReason);
    }

    [RequiresToolFact("moto_server")]
    public async Task SubmitJob_UnknownQueue_ThrowsAwsServiceExceptionWithTheCode()
    {
        aws.Moto.Require();
        using BatchClient batch = Client();
        RegisterJobDefinitionResult definition = await batch.RegisterJobDefinitionAsync(FargateDefinition(Unique("wren-def")));
        int before = batch.Http.RequestsSent;

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => batch.SubmitJobAsync(new SubmitJobRequest
        {
            JobName = "wren-call",
            JobQueue = "wren-no-such-queue",
            JobDefinition = definition.JobDefinitionArn,
        }));

        Assert.Equal("Batch", error.Service);
        Assert.Equal("SubmitJob", error.Operation);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("ClientException", error.ErrorCode);
        Assert.Equal("Job queue wren-no-such-queue does not exist", error.AwsMessage);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.False(error.IsRetryable);
        Assert.Equal(1, batch.Http.RequestsSent - before);
        Assert.StartsWith("Batch SubmitJob failed: ClientException: Job queue wren-no-such-queue does not exist (HTTP 400, request ", error.Message);
    }
}
