namespace Wren.Aws;

/// <summary>
/// Where each AWS service is: <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>, then <c>AWS_ENDPOINT_URL</c>, then the public
/// endpoint for the region, as the AWS SDKs resolve them (which is how tests point Wren at moto).
/// </summary>
internal static class AwsEndpoints
{
    /// <summary>The endpoint override for a service (its SDK id, such as "Lambda" or "CloudWatch Logs"), or null.</summary>
    public static Uri? Override(string serviceId, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string variable = "AWS_ENDPOINT_URL_" + serviceId.ToUpperInvariant().Replace(' ', '_');
        string? value = environment(variable);
        if (string.IsNullOrWhiteSpace(value)) value = environment("AWS_ENDPOINT_URL");
        if (string.IsNullOrWhiteSpace(value)) return null;
        return Uri.TryCreate(value.Trim(), UriKind.Absolute, out Uri? uri)
            ? uri
            : throw new WrenException($"{variable} or AWS_ENDPOINT_URL is '{value}', which is not an absolute URL such as https://lambda.us-east-1.amazonaws.com.");
    }

    /// <summary>The endpoint to call: the override, or <c>https://&lt;prefix&gt;.&lt;region&gt;.amazonaws.com</c>.</summary>
    public static Uri For(string serviceId, string endpointPrefix, string region, Func<string, string?>? environment = null) =>
        Override(serviceId, environment) ?? new Uri(endpointPrefix == "iam" ? "https://iam.amazonaws.com/" : $"https://{endpointPrefix}.{region}.amazonaws.com/");
}
