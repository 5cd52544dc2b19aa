namespace Wren.Backends;

/// <summary>
/// What one invocation on a backend is billed by: its memory and vCPUs, and the list prices per request, GB-second and
/// vCPU-second. Local workers cost nothing and have none.
/// </summary>
internal sealed record BackendPricing(int MemoryMb, double Vcpus, decimal PerRequest, decimal PerGbSecond, decimal PerVcpuSecond, string Basis)
{
    // AWS's published on-demand list prices for us-east-1 (aws.amazon.com/lambda/pricing, aws.amazon.com/fargate/pricing),
    // first tier. Most regions charge the same; the estimate says which prices it used.
    private const decimal LambdaPerRequest = 0.20m / 1_000_000m;
    private const decimal LambdaX86PerGbSecond = 0.0000166667m;
    private const decimal LambdaArmPerGbSecond = 0.0000133334m;
    private const decimal FargateX86PerVcpuHour = 0.04048m;
    private const decimal FargateX86PerGbHour = 0.004445m;

    /// <summary>A Lambda function of this memory and architecture (x86_64 or arm64).</summary>
    public static BackendPricing Lambda(int memoryMb, string architecture, string region) =>
        new(memoryMb, 0, LambdaPerRequest, architecture == "arm64" ? LambdaArmPerGbSecond : LambdaX86PerGbSecond, 0,
            $"AWS Lambda list prices (us-east-1; the function is in {region}), {architecture}");

    /// <summary>A Fargate container of this memory and vCPUs (x86_64), as AWS Batch runs Wren's jobs.</summary>
    public static BackendPricing Fargate(int memoryMb, double vcpus, string region) =>
        new(memoryMb, vcpus, 0, FargateX86PerGbHour / 3600m, FargateX86PerVcpuHour / 3600m,
            $"AWS Fargate list prices (us-east-1; the queue is in {region}), x86_64, {vcpus:0.##} vCPU");
}
