using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace Wren.Aws;

/// <summary>Who the credentials belong to (account and ARN), through STS.</summary>
internal sealed record CallerIdentity(string Account, string Arn)
{
    public static async Task<CallerIdentity> GetAsync(AwsContext context, CancellationToken cancellationToken = default)
    {
        using var sts = new AmazonSecurityTokenServiceClient(context.SdkCredentials(), context.Configure(new AmazonSecurityTokenServiceConfig(), "STS"));
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
