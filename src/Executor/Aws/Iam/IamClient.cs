using System.Xml.Linq;

namespace Wren.Aws.Iam;

/// <summary>The IAM API (query protocol, 2010-05-08) operations Wren uses to manage its workers' roles.</summary>
internal sealed class IamClient(AwsContext context, HttpMessageHandler? handler = null) : IDisposable
{
    // IAM is global: its endpoint has no region, and requests are signed for us-east-1.
    private readonly AwsHttpClient _http = new(context, "IAM", "iam", "iam", handler, signingRegion: "us-east-1");

    public void Dispose() => _http.Dispose();

    public sealed record Role(string RoleName, string Arn, string AssumeRolePolicyDocument);

    public async Task<Role> CreateRoleAsync(string roleName, string assumeRolePolicy, string description, CancellationToken cancellationToken = default)
    {
        XElement result = await CallAsync("CreateRole", new()
        {
            ["RoleName"] = roleName,
            ["AssumeRolePolicyDocument"] = assumeRolePolicy,
            ["Description"] = description,
        }, cancellationToken).ConfigureAwait(false);
        return ReadRole(result);
    }

    /// <summary>The role, or null when there is none of that name.</summary>
    public async Task<Role?> GetRoleAsync(string roleName, CancellationToken cancellationToken = default)
    {
        try
        {
            return ReadRole(await CallAsync("GetRole", new() { ["RoleName"] = roleName }, cancellationToken).ConfigureAwait(false));
        }
        catch (AwsServiceException e) when (e.ErrorCode == "NoSuchEntity")
        {
            return null;
        }
    }

    public Task UpdateAssumeRolePolicyAsync(string roleName, string policy, CancellationToken cancellationToken = default) =>
        CallAsync("UpdateAssumeRolePolicy", new() { ["RoleName"] = roleName, ["PolicyDocument"] = policy }, cancellationToken);

    public Task PutRolePolicyAsync(string roleName, string policyName, string policy, CancellationToken cancellationToken = default) =>
        CallAsync("PutRolePolicy", new() { ["RoleName"] = roleName, ["PolicyName"] = policyName, ["PolicyDocument"] = policy }, cancellationToken);

    /// <summary>The inline policy's document, or null when the role has no such policy.</summary>
    public async Task<string?> GetRolePolicyAsync(string roleName, string policyName, CancellationToken cancellationToken = default)
    {
        try
        {
            XElement result = await CallAsync("GetRolePolicy", new() { ["RoleName"] = roleName, ["PolicyName"] = policyName }, cancellationToken).ConfigureAwait(false);
            return Uri.UnescapeDataString(Value(result, "PolicyDocument") ?? "");
        }
        catch (AwsServiceException e) when (e.ErrorCode == "NoSuchEntity")
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<string>> ListRolePoliciesAsync(string roleName, CancellationToken cancellationToken = default)
    {
        XElement result = await CallAsync("ListRolePolicies", new() { ["RoleName"] = roleName }, cancellationToken).ConfigureAwait(false);
        return [.. result.Descendants().Where(e => e.Name.LocalName == "member").Select(e => e.Value)];
    }

    public Task DeleteRolePolicyAsync(string roleName, string policyName, CancellationToken cancellationToken = default) =>
        CallAsync("DeleteRolePolicy", new() { ["RoleName"] = roleName, ["PolicyName"] = policyName }, cancellationToken);

    public Task DeleteRoleAsync(string roleName, CancellationToken cancellationToken = default) =>
        CallAsync("DeleteRole", new() { ["RoleName"] = roleName }, cancellationToken);

    /// <summary>Attaches a managed policy (AWS's or the account's) to the role; attaching it again changes nothing.</summary>
    public Task AttachRolePolicyAsync(string roleName, string policyArn, CancellationToken cancellationToken = default) =>
        CallAsync("AttachRolePolicy", new() { ["RoleName"] = roleName, ["PolicyArn"] = policyArn }, cancellationToken);

    /// <summary>The ARNs of the managed policies attached to the role.</summary>
    public async Task<IReadOnlyList<string>> ListAttachedRolePoliciesAsync(string roleName, CancellationToken cancellationToken = default)
    {
        var arns = new List<string>();
        string? marker = null;
        do
        {
            var parameters = new Dictionary<string, string> { ["RoleName"] = roleName };
            if (marker is not null) parameters["Marker"] = marker;
            XElement result = await CallAsync("ListAttachedRolePolicies", parameters, cancellationToken).ConfigureAwait(false);
            arns.AddRange(result.Descendants().Where(e => e.Name.LocalName == "PolicyArn").Select(e => e.Value));
            marker = Value(result, "IsTruncated") == "true" ? Value(result, "Marker") : null;
        }
        while (marker is not null);
        return arns;
    }

    public Task DetachRolePolicyAsync(string roleName, string policyArn, CancellationToken cancellationToken = default) =>
        CallAsync("DetachRolePolicy", new() { ["RoleName"] = roleName, ["PolicyArn"] = policyArn }, cancellationToken);

    /// <summary>Whether an instance profile of that name exists.</summary>
    public async Task<bool> InstanceProfileExistsAsync(string instanceProfileName, CancellationToken cancellationToken = default)
    {
        try
        {
            await CallAsync("GetInstanceProfile", new() { ["InstanceProfileName"] = instanceProfileName }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AwsServiceException e) when (e.ErrorCode == "NoSuchEntity")
        {
            return false;
        }
    }

    private async Task<XElement> CallAsync(string action, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        parameters["Action"] = action;
        parameters["Version"] = "2010-05-08";
        byte[] body = System.Text.Encoding.UTF8.GetBytes(string.Join("&", parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
        AwsHttpClient.Response response = await _http.SendAsync(action, HttpMethod.Post, "", body, "application/x-www-form-urlencoded; charset=utf-8", cancellationToken: cancellationToken).ConfigureAwait(false);
        return XElement.Parse(System.Text.Encoding.UTF8.GetString(response.Body));
    }

    private static Role ReadRole(XElement result)
    {
        XElement role = result.Descendants().First(e => e.Name.LocalName == "Role");
        return new Role(Value(role, "RoleName") ?? "", Value(role, "Arn") ?? "", Uri.UnescapeDataString(Value(role, "AssumeRolePolicyDocument") ?? ""));
    }

    private static string? Value(XElement element, string name) => element.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
}
