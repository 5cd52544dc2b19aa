using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace Wren.Aws;

/// <summary>Who the credentials belong to (account and ARN), through STS.</summary>
internal sealed record CallerIdentity(string Account, string Arn)
{
    public static async Task<CallerIdentity> GetAsync(AwsContext context, CancellationToken cancellationToken = default)
    {
        AwsCredentials credentials = await context.CredentialsAsync(cancellationToken).ConfigureAwait(false);
        var config = new AmazonSecurityTokenServiceConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(context.Region) };
        if (context.EndpointOverride("STS") is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = context.Region;
        }
        AWSCredentials sdkCredentials = credentials.SessionToken is { } token
            ? new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, token)
            : new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey);
        using var sts = new AmazonSecurityTokenServiceClient(sdkCredentials, config);
        try
        {
            GetCallerIdentityResponse identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
            return new CallerIdentity(identity.Account, identity.Arn);
        }
        catch (AmazonServiceException e)
        {
            throw new WrenException($"The AWS credentials were refused ({e.ErrorCode}: {e.Message}); check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE.", e);
        }
    }
}
