using System.Net;
using Wren.Aws;

namespace Wren.Tests.Aws;

/// <summary>The signed client's retries, against a handler that throttles the first request of each path.</summary>
public sealed class AwsHttpClientTests
{
    private sealed class ThrottlesOnceHandler : HttpMessageHandler
    {
        private readonly HashSet<string> _seen = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            bool first;
            lock (_seen) first = _seen.Add(request.RequestUri!.AbsolutePath);
            var response = first
                ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("""{"message":"Rate exceeded"}""") }
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") };
            if (first) response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", "ThrottlingException");
            return Task.FromResult(response);
        }
    }

    [Fact]
    public async Task EachRetry_IsReportedWithTheOperationThatMadeIt()
    {
        AwsContext context = AwsContext.FromEnvironment("us-east-1", environment: name => name switch
        {
            "AWS_ACCESS_KEY_ID" => "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY" => "secret",
            "AWS_ENDPOINT_URL" => "http://127.0.0.1:9",
            _ => null,
        });
        using var handler = new ThrottlesOnceHandler();
        using var client = new AwsHttpClient(context, "Lambda", "lambda", "lambda", handler);
        var retries = new List<string>();
        client.Retrying = (operation, reason, attempt, _) =>
        {
            lock (retries) retries.Add($"{operation}: {reason}, attempt {attempt}");
        };
        // Both go through the same policy's pipeline, built once.
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync("GetFunctionConfiguration", HttpMethod.Get, "/a", null, null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync("Invoke", HttpMethod.Post, "/b", [], "application/json")).Status);
        Assert.Equal(["GetFunctionConfiguration: 503 ThrottlingException, attempt 1", "Invoke: 503 ThrottlingException, attempt 1"], retries);
    }
}
