using Wren.Aws.Iam;
using Wren.Tests.Support;

namespace Wren.Tests.Aws;

/// <summary>The IAM client's managed-policy and instance-profile operations against moto (with AWS's managed policies loaded).</summary>
[Trait("Category", "Slow")]
public sealed class IamClientTests(BatchMoto aws) : IClassFixture<BatchMoto>
{
    private const string Trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
    private const string TaskExecution = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
    private const string ReadOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess";

    private IamClient Client() => new(aws.Context());

    [RequiresToolFact("moto_server")]
    public async Task AttachListDetach_ManagedPolicies()
    {
        aws.Moto.Require();
        using IamClient iam = Client();
        string role = $"wren-iam-{Guid.NewGuid():N}"[..20];
        await iam.CreateRoleAsync(role, Trust, "IamClient tests");
        Assert.Empty(await iam.ListAttachedRolePoliciesAsync(role));

        await iam.AttachRolePolicyAsync(role, TaskExecution);
        await iam.AttachRolePolicyAsync(role, TaskExecution);
        await iam.AttachRolePolicyAsync(role, ReadOnly);
        Assert.Equal([ReadOnly, TaskExecution], (await iam.ListAttachedRolePoliciesAsync(role)).Order());

        await iam.DetachRolePolicyAsync(role, ReadOnly);
        Assert.Equal([TaskExecution], await iam.ListAttachedRolePoliciesAsync(role));
        await iam.DetachRolePolicyAsync(role, TaskExecution);
        Assert.Empty(await iam.ListAttachedRolePoliciesAsync(role));
        await iam.DeleteRoleAsync(role);
    }

    [RequiresToolFact("moto_server")]
    public async Task InstanceProfileExists_OnlyForOneThatWasCreated()
    {
        aws.Moto.Require();
        using IamClient iam = Client();
        Assert.True(await iam.InstanceProfileExistsAsync("wren-batch-instance"));
        Assert.False(await iam.InstanceProfileExistsAsync("ecsInstanceRole"));
    }
}
