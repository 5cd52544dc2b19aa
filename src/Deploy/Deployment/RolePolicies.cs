using System.Text.Json;

namespace Wren.Deploy.Deployment;

/// <summary>The workers' role documents: who may assume a role, and the least it needs to do Wren's work.</summary>
internal static class RolePolicies
{
    public const string AccessPolicyName = "wren-access";

    public static string Trust(params string[] services) => JsonSerializer.Serialize(new
    {
        Version = "2012-10-17",
        Statement = new[]
        {
            new { Effect = "Allow", Principal = new { Service = services }, Action = "sts:AssumeRole" },
        },
    });

    /// <summary>
    /// The configured bucket and the data buckets, read and write; logs only for the function's log groups: its own,
    /// and those of the sizes <c>wren deploy-lambda --memory</c> names after it (<c>&lt;function&gt;-&lt;size&gt;mb</c>).
    /// </summary>
    public static string Access(string partition, string account, string region, string bucket, IReadOnlyCollection<string> dataBuckets, string function) =>
        AccessWithLogGroup(partition, account, region, bucket, dataBuckets, $"/aws/lambda/{function}", $"/aws/lambda/{function}-*mb");

    /// <summary>
    /// Objects and listing of the configured bucket (Wren's prefix and the data a Map reads and writes there) and of
    /// each data bucket; logs only in those log groups. Every resource is named: no bare <c>*</c>.
    /// </summary>
    public static string AccessWithLogGroup(string partition, string account, string region, string bucket, IReadOnlyCollection<string> dataBuckets, params string[] logGroupNames)
    {
        string[] buckets = [bucket, .. dataBuckets.Where(b => b != bucket).Distinct(StringComparer.Ordinal)];
        string[] logGroups = [.. logGroupNames.Select(name => $"arn:{partition}:logs:{region}:{account}:log-group:{name}")];
        object[] statements =
        [
            new { Sid = "WrenObjects", Effect = "Allow", Action = new[] { "s3:GetObject", "s3:PutObject", "s3:DeleteObject" }, Resource = buckets.Select(b => $"arn:{partition}:s3:::{b}/*").ToArray() },
            new { Sid = "WrenListing", Effect = "Allow", Action = new[] { "s3:ListBucket" }, Resource = buckets.Select(b => $"arn:{partition}:s3:::{b}").ToArray() },
            new { Sid = "WrenLogs", Effect = "Allow", Action = new[] { "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents" }, Resource = logGroups.SelectMany(g => new[] { g, $"{g}:*" }).ToArray() },
        ];
        return JsonSerializer.Serialize(new { Version = "2012-10-17", Statement = statements });
    }

    /// <summary>The partition (aws, aws-cn, aws-us-gov) of an ARN.</summary>
    public static string PartitionOf(string arn) => arn.Split(':') is { Length: > 1 } parts ? parts[1] : "aws";
}
