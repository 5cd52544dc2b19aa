using System.Text;

namespace Wren.Aws;

/// <summary>An AWS access key pair, with the session token that temporary credentials carry.</summary>
internal sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    // A record prints every property by default; credentials end up in logs and exception messages that way.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("AccessKeyId = ").Append(AccessKeyId)
            .Append(", SecretAccessKey = ***")
            .Append(", SessionToken = ").Append(SessionToken is null ? "null" : "***");
        return true;
    }
}
