using System.Text;
using System.Xml.Linq;
using Wren.Aws;
using Wren.Aws.Iam;

namespace Wren.Tests.Aws;

/// <summary>
/// moto with what Batch's control plane checks for: a service role, an instance profile for EC2 compute
/// environments, and a VPC with a subnet and a security group. IAM knows AWS's managed policies (such as
/// AmazonECSTaskExecutionRolePolicy), which moto leaves out unless asked. moto's Batch is put in its Docker-free mode, where a
/// submitted job is marked SUCCEEDED at once and nothing runs; in its default mode, with no Docker daemon, every job
/// fails within a second or so, and with one it would try to pull and run the image.
/// </summary>
public sealed class BatchMoto : IAsyncLifetime
{
    private const string TrustPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"batch.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";

    // moto's config API does not take IAM's settings; this one is read when IAM is first used.
    public MotoServer Moto { get; } = new(new Dictionary<string, string> { ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true" });

    public string ServiceRoleArn { get; private set; } = "";

    public string InstanceProfileArn { get; private set; } = "";

    public string SubnetId { get; private set; } = "";

    public string SecurityGroupId { get; private set; } = "";

    internal AwsContext Context() => AwsContext.FromEnvironment(environment: Moto.Environment());

    public async Task InitializeAsync()
    {
        await Moto.StartIfInstalledAsync();
        if (!Moto.Available) return;
        using (var http = new HttpClient())
        using (var config = new StringContent("""{"batch":{"use_docker":false}}"""))
        using (HttpResponseMessage configured = await http.PostAsync($"{Moto.Endpoint}/moto-api/config", config))
            configured.EnsureSuccessStatusCode();

        AwsContext context = Context();
        using (var iamClient = new IamClient(context))
            ServiceRoleArn = (await iamClient.CreateRoleAsync("wren-batch-service", TrustPolicy, "Batch's service role in the tests")).Arn;
        using var iam = new AwsHttpClient(context, "IAM", "iam", "iam", signingRegion: "us-east-1");
        InstanceProfileArn = Value(await QueryAsync(iam, "CreateInstanceProfile", "2010-05-08", new() { ["InstanceProfileName"] = "wren-batch-instance" }), "Arn");
        using var ec2 = new AwsHttpClient(context, "EC2", "ec2", "ec2");
        string vpc = Value(await QueryAsync(ec2, "CreateVpc", "2016-11-15", new() { ["CidrBlock"] = "10.20.0.0/16" }), "vpcId");
        SubnetId = Value(await QueryAsync(ec2, "CreateSubnet", "2016-11-15", new() { ["VpcId"] = vpc, ["CidrBlock"] = "10.20.1.0/24" }), "subnetId");
        SecurityGroupId = Value(await QueryAsync(ec2, "CreateSecurityGroup", "2016-11-15",
            new() { ["VpcId"] = vpc, ["GroupName"] = "wren-batch", ["GroupDescription"] = "Wren's Batch tests" }), "groupId");
    }

    public Task DisposeAsync() => Moto.DisposeAsync().AsTask();

    private static async Task<XElement> QueryAsync(AwsHttpClient http, string action, string version, Dictionary<string, string> parameters)
    {
        parameters["Action"] = action;
        parameters["Version"] = version;
        byte[] body = Encoding.UTF8.GetBytes(string.Join("&", parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
        AwsHttpClient.Response response = await http.SendAsync(action, HttpMethod.Post, "", body, "application/x-www-form-urlencoded; charset=utf-8");
        return XElement.Parse(Encoding.UTF8.GetString(response.Body));
    }

    private static string Value(XElement root, string name) =>
        root.Descendants().First(e => e.Name.LocalName == name).Value;
}
