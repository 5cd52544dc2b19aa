using System.Text.Json;
using System.Text.Json.Serialization;

namespace Wren.Aws.Batch;

/// <summary>
/// The AWS Batch API (rest-json, 2016-08-10) operations Wren uses: job definitions, jobs, compute environments and
/// job queues. Every operation is a POST of a JSON body to /v1/&lt;operation&gt;. Thread-safe.
/// </summary>
internal sealed class BatchClient(AwsContext context, HttpMessageHandler? handler = null) : IDisposable
{
    /// <summary>The most job ids one DescribeJobs call takes; <see cref="DescribeJobsAsync"/> splits longer lists.</summary>
    public const int MaxJobsPerDescribe = 100;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly AwsHttpClient _http = new(context, "Batch", "batch", "batch", handler);

    public void Dispose() => _http.Dispose();

    public AwsHttpClient Http => _http;

    public Task<RegisterJobDefinitionResult> RegisterJobDefinitionAsync(RegisterJobDefinitionRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<RegisterJobDefinitionResult>("RegisterJobDefinition", request, cancellationToken);

    /// <summary>Every revision of the named job definition with that status (ACTIVE or INACTIVE; null for both).</summary>
    public async Task<IReadOnlyList<JobDefinition>> DescribeJobDefinitionsAsync(string jobDefinitionName, string? status = "ACTIVE", CancellationToken cancellationToken = default)
    {
        var all = new List<JobDefinition>();
        string? nextToken = null;
        do
        {
            JobDefinitionsPage page = await PostAsync<JobDefinitionsPage>("DescribeJobDefinitions",
                new { jobDefinitionName, status, nextToken }, cancellationToken).ConfigureAwait(false);
            all.AddRange(page.JobDefinitions ?? []);
            nextToken = page.NextToken;
        }
        while (!string.IsNullOrEmpty(nextToken));
        return all;
    }

    public Task<SubmitJobResult> SubmitJobAsync(SubmitJobRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<SubmitJobResult>("SubmitJob", request, cancellationToken);

    /// <summary>
    /// The jobs of these ids that Batch knows (unknown ids are left out), in calls of at most
    /// <see cref="MaxJobsPerDescribe"/> ids, merged in the order Batch answered. Repeated ids are asked once.
    /// </summary>
    public async Task<IReadOnlyList<JobDetail>> DescribeJobsAsync(IEnumerable<string> jobIds, CancellationToken cancellationToken = default)
    {
        var jobs = new List<JobDetail>();
        foreach (string[] chunk in jobIds.Distinct(StringComparer.Ordinal).Chunk(MaxJobsPerDescribe))
        {
            JobsPage page = await PostAsync<JobsPage>("DescribeJobs", new { jobs = chunk }, cancellationToken).ConfigureAwait(false);
            jobs.AddRange(page.Jobs ?? []);
        }
        return jobs;
    }

    /// <summary>Stops the job whatever its status (an array parent stops its children); the reason shows as its statusReason.</summary>
    public async Task TerminateJobAsync(string jobId, string reason, CancellationToken cancellationToken = default) =>
        await SendAsync("TerminateJob", new { jobId, reason }, cancellationToken).ConfigureAwait(false);

    public Task<ComputeEnvironmentResult> CreateComputeEnvironmentAsync(CreateComputeEnvironmentRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<ComputeEnvironmentResult>("CreateComputeEnvironment", request, cancellationToken);

    /// <summary>The compute environments of these names or ARNs; all of them when none are given.</summary>
    public async Task<IReadOnlyList<ComputeEnvironmentDetail>> DescribeComputeEnvironmentsAsync(IEnumerable<string> names, CancellationToken cancellationToken = default)
    {
        string[] computeEnvironments = [.. names];
        var all = new List<ComputeEnvironmentDetail>();
        string? nextToken = null;
        do
        {
            ComputeEnvironmentsPage page = await PostAsync<ComputeEnvironmentsPage>("DescribeComputeEnvironments",
                new { computeEnvironments, nextToken }, cancellationToken).ConfigureAwait(false);
            all.AddRange(page.ComputeEnvironments ?? []);
            nextToken = page.NextToken;
        }
        while (!string.IsNullOrEmpty(nextToken));
        return all;
    }

    public Task<ComputeEnvironmentResult> UpdateComputeEnvironmentAsync(UpdateComputeEnvironmentRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<ComputeEnvironmentResult>("UpdateComputeEnvironment", request, cancellationToken);

    public Task<JobQueueResult> CreateJobQueueAsync(CreateJobQueueRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<JobQueueResult>("CreateJobQueue", request, cancellationToken);

    /// <summary>The job queues of these names or ARNs; all of them when none are given.</summary>
    public async Task<IReadOnlyList<JobQueueDetail>> DescribeJobQueuesAsync(IEnumerable<string> names, CancellationToken cancellationToken = default)
    {
        string[] jobQueues = [.. names];
        var all = new List<JobQueueDetail>();
        string? nextToken = null;
        do
        {
            JobQueuesPage page = await PostAsync<JobQueuesPage>("DescribeJobQueues", new { jobQueues, nextToken }, cancellationToken).ConfigureAwait(false);
            all.AddRange(page.JobQueues ?? []);
            nextToken = page.NextToken;
        }
        while (!string.IsNullOrEmpty(nextToken));
        return all;
    }

    public Task<JobQueueResult> UpdateJobQueueAsync(UpdateJobQueueRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<JobQueueResult>("UpdateJobQueue", request, cancellationToken);

    /// <summary>
    /// Creates the compute environment, or brings the one of that name to the request's state, maxvCpus, subnets,
    /// security groups and service role (an EC2 environment takes new subnets only with a BEST_FIT_PROGRESSIVE or
    /// SPOT_CAPACITY_OPTIMIZED allocation strategy). Sends no update when it already matches, so running it again is harmless. It does not wait for the
    /// environment to become VALID.
    /// </summary>
    public async Task<EnsuredResource> CreateOrUpdateComputeEnvironmentAsync(CreateComputeEnvironmentRequest request, CancellationToken cancellationToken = default)
    {
        string name = request.ComputeEnvironmentName;
        ComputeEnvironmentDetail? existing = (await DescribeComputeEnvironmentsAsync([name], cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(e => e.ComputeEnvironmentName == name && e.Status != BatchState.Deleted);
        if (existing is null)
        {
            ComputeEnvironmentResult created = await CreateComputeEnvironmentAsync(request, cancellationToken).ConfigureAwait(false);
            return new EnsuredResource(created.ComputeEnvironmentName, created.ComputeEnvironmentArn, Created: true);
        }
        if (existing.Status == BatchState.Deleting)
            throw new WrenException($"Compute environment {name} is being deleted; wait until `aws batch describe-compute-environments --compute-environments {name}` no longer lists it, then run again.");
        string? existingType = existing.ComputeResources?.Type;
        if (existingType is not null && existingType != request.ComputeResources.Type)
            throw new WrenException($"Compute environment {name} runs on {existingType}, not {request.ComputeResources.Type}, and that cannot be changed in place: delete it (disable it, then `aws batch delete-compute-environment --compute-environment {name}`) or choose another name.");

        string state = request.State;
        ComputeResources wanted = request.ComputeResources;
        var resources = new ComputeResourceUpdate
        {
            MaxvCpus = existing.ComputeResources?.MaxvCpus == wanted.MaxvCpus ? null : wanted.MaxvCpus,
            Subnets = SameSet(existing.ComputeResources?.Subnets, wanted.Subnets) ? null : wanted.Subnets,
            SecurityGroupIds = SameSet(existing.ComputeResources?.SecurityGroupIds, wanted.SecurityGroupIds) ? null : wanted.SecurityGroupIds,
        };
        var update = new UpdateComputeEnvironmentRequest
        {
            ComputeEnvironment = existing.ComputeEnvironmentArn,
            State = existing.State == state ? null : state,
            ComputeResources = resources is { MaxvCpus: null, Subnets: null, SecurityGroupIds: null } ? null : resources,
            ServiceRole = request.ServiceRole is null || request.ServiceRole == existing.ServiceRole ? null : request.ServiceRole,
        };
        if (update.State is not null || update.ComputeResources is not null || update.ServiceRole is not null)
            await UpdateComputeEnvironmentAsync(update, cancellationToken).ConfigureAwait(false);
        return new EnsuredResource(existing.ComputeEnvironmentName, existing.ComputeEnvironmentArn, Created: false);
    }

    /// <summary>
    /// Creates the job queue, or brings the one of that name to the request's state, priority and compute
    /// environments. Sends no update when it already matches, so running it again is harmless.
    /// </summary>
    public async Task<EnsuredResource> CreateOrUpdateJobQueueAsync(CreateJobQueueRequest request, CancellationToken cancellationToken = default)
    {
        string name = request.JobQueueName;
        JobQueueDetail? existing = (await DescribeJobQueuesAsync([name], cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(q => q.JobQueueName == name && q.Status != BatchState.Deleted);
        if (existing is null)
        {
            JobQueueResult created = await CreateJobQueueAsync(request, cancellationToken).ConfigureAwait(false);
            return new EnsuredResource(created.JobQueueName, created.JobQueueArn, Created: true);
        }
        if (existing.Status == BatchState.Deleting)
            throw new WrenException($"Job queue {name} is being deleted; wait until `aws batch describe-job-queues --job-queues {name}` no longer lists it, then run again.");

        string state = request.State;
        var update = new UpdateJobQueueRequest
        {
            JobQueue = existing.JobQueueArn,
            State = existing.State == state ? null : state,
            Priority = existing.Priority == request.Priority ? null : request.Priority,
            ComputeEnvironmentOrder = SameOrder(existing.ComputeEnvironmentOrder ?? [], request.ComputeEnvironmentOrder) ? null : request.ComputeEnvironmentOrder,
        };
        if (update.State is not null || update.Priority is not null || update.ComputeEnvironmentOrder is not null)
            await UpdateJobQueueAsync(update, cancellationToken).ConfigureAwait(false);
        return new EnsuredResource(existing.JobQueueName, existing.JobQueueArn, Created: false);
    }

    private static bool SameSet(List<string>? existing, List<string> wanted) =>
        (existing ?? []).ToHashSet(StringComparer.Ordinal).SetEquals(wanted);

    // Batch answers with ARNs where the request may have named the compute environments.
    private static bool SameOrder(List<ComputeEnvironmentOrder> existing, List<ComputeEnvironmentOrder> wanted) =>
        existing.Count == wanted.Count
        && existing.OrderBy(o => o.Order).Zip(wanted.OrderBy(o => o.Order)).All(pair =>
            pair.First.Order == pair.Second.Order && SameComputeEnvironment(pair.First.ComputeEnvironment, pair.Second.ComputeEnvironment));

    private static bool SameComputeEnvironment(string a, string b) =>
        a == b || a.EndsWith(":compute-environment/" + b, StringComparison.Ordinal) || b.EndsWith(":compute-environment/" + a, StringComparison.Ordinal);

    private async Task<T> PostAsync<T>(string operation, object body, CancellationToken cancellationToken)
    {
        byte[] answer = await SendAsync(operation, body, cancellationToken).ConfigureAwait(false);
        return (answer.Length == 0 ? default : JsonSerializer.Deserialize<T>(answer, Json))
            ?? throw new WrenException($"Batch {operation} returned an empty answer.");
    }

    private async Task<byte[]> SendAsync(string operation, object body, CancellationToken cancellationToken)
    {
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Json);
        AwsHttpClient.Response response = await _http.SendAsync(operation, HttpMethod.Post, "v1/" + operation.ToLowerInvariant(), bytes, "application/json",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    private sealed record JobDefinitionsPage
    {
        public List<JobDefinition>? JobDefinitions { get; init; }
        public string? NextToken { get; init; }
    }

    private sealed record JobsPage
    {
        public List<JobDetail>? Jobs { get; init; }
    }

    private sealed record ComputeEnvironmentsPage
    {
        public List<ComputeEnvironmentDetail>? ComputeEnvironments { get; init; }
        public string? NextToken { get; init; }
    }

    private sealed record JobQueuesPage
    {
        public List<JobQueueDetail>? JobQueues { get; init; }
        public string? NextToken { get; init; }
    }
}
