using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Wren.Aws;

/// <summary>
/// The region and credentials every AWS client of Wren's uses, from AWSSDK.Core's default chains (environment,
/// profile, container, instance metadata), and the endpoint of each service.
/// </summary>
internal sealed class AwsContext
{
    private readonly Func<CancellationToken, Task<AwsCredentials>> _credentials;

    public AwsContext(string region, Func<CancellationToken, Task<AwsCredentials>> credentials, TimeProvider? time = null, Func<string, string?>? environment = null)
    {
        Region = region;
        _credentials = credentials;
        Time = time ?? TimeProvider.System;
        Environment = environment ?? System.Environment.GetEnvironmentVariable;
    }

    /// <summary>Where endpoint overrides are read from: the process environment, or a test's.</summary>
    public Func<string, string?> Environment { get; }

    public string Region { get; }

    public TimeProvider Time { get; }

    public Task<AwsCredentials> CredentialsAsync(CancellationToken cancellationToken) => _credentials(cancellationToken);

    public Uri Endpoint(string serviceId, string endpointPrefix) => AwsEndpoints.For(serviceId, endpointPrefix, Region, Environment);

    public Uri? EndpointOverride(string serviceId) => AwsEndpoints.Override(serviceId, Environment);

    /// <summary>Resolves region and credentials the way the AWS SDKs and CLI do; fails with what to set when either is missing.</summary>
    public static AwsContext FromEnvironment(string? region = null, TimeProvider? time = null, Func<string, string?>? environment = null)
    {
        environment ??= System.Environment.GetEnvironmentVariable;
        region ??= ResolveRegion(environment);
        if (environment("AWS_ACCESS_KEY_ID") is { Length: > 0 } accessKey && environment("AWS_SECRET_ACCESS_KEY") is { Length: > 0 } secretKey)
        {
            var fixedCredentials = new AwsCredentials(accessKey, secretKey, environment("AWS_SESSION_TOKEN") is { Length: > 0 } token ? token : null);
            return new AwsContext(region, _ => Task.FromResult(fixedCredentials), time, environment);
        }
        AWSCredentials? source = null;
        return new AwsContext(region, async cancellationToken =>
        {
            try
            {
                source ??= DefaultAWSCredentialsIdentityResolver.GetCredentials();
                ImmutableCredentials credentials = await source.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                return new AwsCredentials(credentials.AccessKey, credentials.SecretKey, string.IsNullOrEmpty(credentials.Token) ? null : credentials.Token);
            }
            catch (AmazonClientException e)
            {
                throw new WrenException($"No AWS credentials were found ({e.Message}). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run `aws configure`.", e);
            }
        }, time, environment);
    }

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
}
