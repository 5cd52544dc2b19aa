using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Wren.Aws;

/// <summary>
/// The region and credentials every AWS client of Wren's uses, from AWSSDK.Core's default chains (environment,
/// profile, container, instance metadata), and the endpoint of each service. The one place that turns the environment
/// into credentials and configures the AWS SDK's clients (S3, STS) as Wren's own signed clients are configured.
/// </summary>
internal sealed class AwsContext
{
    private readonly Func<CancellationToken, Task<AwsCredentials>> _credentials;
    private readonly Func<AWSCredentials> _sdkCredentials;

    /// <summary>A context with fixed credentials (a test's, or keys from the environment).</summary>
    public AwsContext(string region, AwsCredentials credentials, TimeProvider? time = null, Func<string, string?>? environment = null)
        : this(region, _ => Task.FromResult(credentials), () => credentials.SessionToken is { } token
            ? new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, token)
            : new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey), time, environment)
    {
    }

    private AwsContext(string region, Func<CancellationToken, Task<AwsCredentials>> credentials, Func<AWSCredentials> sdkCredentials, TimeProvider? time, Func<string, string?>? environment)
    {
        Region = region;
        _credentials = credentials;
        _sdkCredentials = sdkCredentials;
        Time = time ?? TimeProvider.System;
        Environment = environment ?? System.Environment.GetEnvironmentVariable;
    }

    /// <summary>Where endpoint overrides are read from: the process environment, or a test's.</summary>
    public Func<string, string?> Environment { get; }

    public string Region { get; }

    public TimeProvider Time { get; }

    public Task<AwsCredentials> CredentialsAsync(CancellationToken cancellationToken) => _credentials(cancellationToken);

    /// <summary>The same credentials in the form the AWS SDK's clients take.</summary>
    public AWSCredentials SdkCredentials() => _sdkCredentials();

    public Uri Endpoint(string serviceId, string endpointPrefix) => AwsEndpoints.For(serviceId, endpointPrefix, Region, Environment);

    public Uri? EndpointOverride(string serviceId) => AwsEndpoints.Override(serviceId, Environment);

    /// <summary>Points an AWS SDK client's configuration at this context's region, or at the service's endpoint override.</summary>
    public TConfig Configure<TConfig>(TConfig config, string serviceId) where TConfig : ClientConfig
    {
        config.RegionEndpoint = RegionEndpoint.GetBySystemName(Region);
        if (EndpointOverride(serviceId) is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = Region;
            // Presigned URLs follow UseHttp rather than the endpoint's scheme.
            config.UseHttp = endpoint.Scheme == Uri.UriSchemeHttp;
        }
        return config;
    }

    /// <summary>Resolves region and credentials the way the AWS SDKs and CLI do; fails with what to set when either is missing.</summary>
    public static AwsContext FromEnvironment(string? region = null, TimeProvider? time = null, Func<string, string?>? environment = null)
    {
        environment ??= System.Environment.GetEnvironmentVariable;
        region ??= ResolveRegion(environment);
        // Keys and secrets in the environment (a test's, or the worker's) are used as they are; otherwise the SDK's chain.
        if (environment("AWS_ACCESS_KEY_ID") is { Length: > 0 } accessKey && environment("AWS_SECRET_ACCESS_KEY") is { Length: > 0 } secretKey)
        {
            return new AwsContext(region, new AwsCredentials(accessKey, secretKey, environment("AWS_SESSION_TOKEN") is { Length: > 0 } token ? token : null), time, environment);
        }
        var chain = new Lazy<AWSCredentials>(() =>
        {
            try
            {
                return DefaultAWSCredentialsIdentityResolver.GetCredentials();
            }
            catch (AmazonClientException e)
            {
                throw NoCredentials(e);
            }
        });
        return new AwsContext(region, async cancellationToken =>
        {
            try
            {
                ImmutableCredentials credentials = await chain.Value.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                return new AwsCredentials(credentials.AccessKey, credentials.SecretKey, string.IsNullOrEmpty(credentials.Token) ? null : credentials.Token);
            }
            catch (AmazonClientException e)
            {
                throw NoCredentials(e);
            }
        }, () => new DeferredCredentials(chain), time, environment);
    }

    private static WrenException NoCredentials(AmazonClientException e) =>
        new($"No AWS credentials were found ({e.Message}). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run `aws configure`.", e);

    private static string ResolveRegion(Func<string, string?> environment)
    {
        string? region = environment("AWS_REGION") ?? environment("AWS_DEFAULT_REGION");
        if (!string.IsNullOrWhiteSpace(region)) return region;
        try
        {
            RegionEndpoint? endpoint = FallbackRegionFactory.GetRegionEndpoint();
            if (endpoint is not null) return endpoint.SystemName;
        }
        catch (AmazonClientException)
        {
        }
        throw new WrenException("No AWS region is set. Pass --region, set AWS_REGION, or set a region in ~/.aws/config (`aws configure`).");
    }

    /// <summary>The SDK's chain, looked up when a request first needs it (so a client can be made before credentials exist).</summary>
    private sealed class DeferredCredentials(Lazy<AWSCredentials> chain) : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() => chain.Value.GetCredentials();

        public override Task<ImmutableCredentials> GetCredentialsAsync() => chain.Value.GetCredentialsAsync();
    }
}
