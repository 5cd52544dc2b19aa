using Wren.Aws;
using Wren.Aws.Lambda;
using Wren.Backends.Lambda;
using Wren.Protocol;
using Wren.Timing;

namespace Wren.Deploy.Deployment;

/// <summary>
/// Creates or updates the runtime function from a package in S3, waits until it is ready, and turns off Lambda's own
/// retries of asynchronous invocations (Wren retries itself). Running it twice changes nothing the second time.
/// </summary>
internal sealed class LambdaDeployer(LambdaClient lambda, TimeProvider time, TextWriter log)
{
    public sealed record Settings(string FunctionName, string RoleArn, string Bucket, string PackageKey, int MemoryMb, int TimeoutSeconds)
    {
        /// <summary>The Lambda runtime: the managed <c>dotnet10</c> (default) or the custom <c>provided.al2023</c>.</summary>
        public string Runtime { get; init; } = LambdaDeploymentSettings.ManagedRuntime;

        /// <summary><c>x86_64</c> (default) or <c>arm64</c>.</summary>
        public string Architecture { get; init; } = LambdaDeploymentSettings.DefaultArchitecture;
    }

    /// <summary>How long a new role may take to become usable by Lambda (IAM is eventually consistent).</summary>
    public TimeSpan RolePropagation { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan ReadinessTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public async Task<FunctionConfiguration> DeployAsync(Settings settings, CancellationToken cancellationToken)
    {
        var environment = new FunctionEnvironment { Variables = new() { [LambdaDeploymentSettings.ProtocolVariable] = WrenProtocol.Version.ToString() } };
        string description = $"Wren runtime (protocol {WrenProtocol.Version})";
        FunctionConfiguration? existing = await lambda.GetFunctionConfigurationAsync(settings.FunctionName, cancellationToken).ConfigureAwait(false);
        if (existing is not null && !await UpdateCodeAsync(settings, cancellationToken).ConfigureAwait(false))
        {
            // The control plane kept the old architecture with the new code (some stand-ins for Lambda do): the
            // function holds nothing but what this command sets, so it is made again.
            await log.WriteLineAsync($"Lambda kept {settings.FunctionName} on {string.Join(",", existing.Architectures ?? [])}; creating it again for {settings.Architecture}...").ConfigureAwait(false);
            await lambda.DeleteFunctionAsync(settings.FunctionName, cancellationToken).ConfigureAwait(false);
            existing = null;
        }
        if (existing is null)
        {
            await log.WriteLineAsync($"Creating function {settings.FunctionName}...").ConfigureAwait(false);
            await WhileRolePropagatesAsync(() => lambda.CreateFunctionAsync(new CreateFunctionRequest
            {
                FunctionName = settings.FunctionName,
                Runtime = settings.Runtime,
                Handler = LambdaDeploymentSettings.HandlerFor(settings.Runtime),
                Role = settings.RoleArn,
                Code = new FunctionCode { S3Bucket = settings.Bucket, S3Key = settings.PackageKey },
                MemorySize = settings.MemoryMb,
                Timeout = settings.TimeoutSeconds,
                Architectures = [settings.Architecture],
                Environment = environment,
                Description = description,
            }, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WhileRolePropagatesAsync(() => lambda.UpdateFunctionConfigurationAsync(new UpdateFunctionConfigurationRequest
            {
                FunctionName = settings.FunctionName,
                Runtime = settings.Runtime,
                Handler = LambdaDeploymentSettings.HandlerFor(settings.Runtime),
                Role = settings.RoleArn,
                MemorySize = settings.MemoryMb,
                Timeout = settings.TimeoutSeconds,
                Environment = environment,
                Description = description,
            }, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        FunctionConfiguration ready = await WaitUntilReadyAsync(settings.FunctionName, cancellationToken).ConfigureAwait(false);
        await lambda.PutFunctionEventInvokeConfigAsync(settings.FunctionName, maximumRetryAttempts: 0, maximumEventAgeInSeconds: 6 * 3600, cancellationToken).ConfigureAwait(false);
        return ready;
    }

    /// <summary>Replaces an existing function's code (and architecture); false when its architecture did not change as asked.</summary>
    private async Task<bool> UpdateCodeAsync(Settings settings, CancellationToken cancellationToken)
    {
        await log.WriteLineAsync($"Updating function {settings.FunctionName}...").ConfigureAwait(false);
        await WaitUntilReadyAsync(settings.FunctionName, cancellationToken).ConfigureAwait(false);
        await lambda.UpdateFunctionCodeAsync(settings.FunctionName, settings.Bucket, settings.PackageKey, settings.Architecture, cancellationToken).ConfigureAwait(false);
        FunctionConfiguration updated = await WaitUntilReadyAsync(settings.FunctionName, cancellationToken).ConfigureAwait(false);
        return updated.Architectures is not { Length: > 0 } architectures || architectures.Contains(settings.Architecture);
    }

    /// <summary>Retries a call that Lambda refuses because it cannot assume a role IAM has only just created.</summary>
    private async Task WhileRolePropagatesAsync(Func<Task> call, CancellationToken cancellationToken)
    {
        long started = time.GetTimestamp();
        var pause = Backoff.Fixed(time, TimeSpan.FromSeconds(3));
        while (true)
        {
            try
            {
                await call().ConfigureAwait(false);
                return;
            }
            catch (AwsServiceException e) when (e.ErrorCode == "InvalidParameterValueException" && e.AwsMessage.Contains("role", StringComparison.OrdinalIgnoreCase)
                && time.GetElapsedTime(started) < RolePropagation)
            {
                await log.WriteLineAsync("The role is not usable by Lambda yet (IAM is still propagating it); trying again...").ConfigureAwait(false);
                await pause.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<FunctionConfiguration> WaitUntilReadyAsync(string functionName, CancellationToken cancellationToken)
    {
        long started = time.GetTimestamp();
        var pause = new Backoff(time, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
        while (true)
        {
            FunctionConfiguration function = await lambda.GetFunctionConfigurationAsync(functionName, cancellationToken).ConfigureAwait(false)
                ?? throw new WrenException($"Function {functionName} disappeared while it was being deployed.");
            if (function.State == "Failed" || function.LastUpdateStatus == "Failed")
                throw new WrenException($"Lambda could not set up {functionName}: {function.StateReason ?? function.LastUpdateStatusReason ?? "no reason given"}.");
            bool active = function.State is null or "Active";
            bool updated = function.LastUpdateStatus is null or "Successful";
            if (active && updated) return function;
            if (time.GetElapsedTime(started) > ReadinessTimeout)
                throw new WrenException($"Function {functionName} was still {function.State}/{function.LastUpdateStatus} after {ReadinessTimeout.TotalMinutes:0} minutes; run `wren deploy-lambda` again later.");
            await pause.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
