using Wren.Aws;

namespace Wren.Tests.Aws;

/// <summary>
/// Every case of the AWS signing test suite (tests/Wren.Tests/Aws/sigv4-test-suite, from aws-c-auth): Wren's signer produces the
/// suite's canonical request, string to sign, signature and signed request, with an Authorization header and as a
/// presigned URL.
/// </summary>
public sealed class SigV4TestSuiteTests
{
    /// <summary>One row per case folder.</summary>
    public static TheoryData<string> Cases()
    {
        var rows = new TheoryData<string>();
        foreach (string name in SuiteCase.Names()) rows.Add(name);
        if (rows.Count == 0) throw new InvalidOperationException($"The SigV4 test suite at {SuiteCase.Root} has no case folders.");
        return rows;
    }

    [Fact]
    public void Suite_EveryCaseHasAllItsFiles()
    {
        var names = SuiteCase.Names().ToList();
        Assert.True(names.Count >= 38, $"expected the 38 cases of the aws-c-auth v4 suite in {SuiteCase.Root}, found {names.Count}");
        foreach (string name in names)
        {
            foreach (string file in SuiteCase.ExpectedFiles)
                Assert.True(File.Exists(Path.Combine(SuiteCase.Root, name, file)), $"{name} has no {file}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SignHeaders_MatchesSuite(string name)
    {
        SuiteCase test = SuiteCase.Load(name);

        HeaderSignature signed = SigV4.SignHeaders(test.ToSignable(), test.Credentials, test.Region, test.Service, test.Timestamp, test.Options);

        Assert.Equal(test.Expected("header-canonical-request.txt"), signed.CanonicalRequest);
        Assert.Equal(test.Expected("header-string-to-sign.txt"), signed.StringToSign);
        Assert.Equal(test.Expected("header-signature.txt"), signed.Signature);
        Assert.Equal(test.Expected("header-signed-request.txt"), test.Request.Render(test.Request.RawQuery, signed.HeadersToAdd));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Presign_MatchesSuite(string name)
    {
        SuiteCase test = SuiteCase.Load(name);

        PresignedQuery signed = SigV4.Presign(test.ToSignable(), test.Credentials, test.Region, test.Service, test.Timestamp, test.Options);

        Assert.Equal(test.Expected("query-canonical-request.txt"), signed.CanonicalRequest);
        Assert.Equal(test.Expected("query-string-to-sign.txt"), signed.StringToSign);
        Assert.Equal(test.Expected("query-signature.txt"), signed.Signature);
        Assert.Equal(test.Expected("query-signed-request.txt"), test.Request.Render(signed.QueryString, []));
    }

    [Theory]
    [InlineData("get-vanilla")]
    [InlineData("get-vanilla-with-session-token")]
    public void SignHttpRequestMessage_MatchesSuiteAuthorization(string name)
    {
        SuiteCase test = SuiteCase.Load(name);
        using var message = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");

        HeaderSignature signed = SigV4.Sign(message, ReadOnlyMemory<byte>.Empty, test.Credentials, test.Region, test.Service, test.Timestamp);

        Dictionary<string, string> expected = SignedHeaders(test.Expected("header-signed-request.txt"));
        Assert.Equal(test.Expected("header-canonical-request.txt"), signed.CanonicalRequest);
        Assert.Equal(expected["Authorization"], Assert.Single(message.Headers.GetValues("Authorization")));
        Assert.Equal(expected["X-Amz-Date"], Assert.Single(message.Headers.GetValues("X-Amz-Date")));
        if (test.Credentials.SessionToken is { } token)
            Assert.Equal(token, Assert.Single(message.Headers.GetValues("X-Amz-Security-Token")));
        else
            Assert.False(message.Headers.Contains("X-Amz-Security-Token"));
    }

    private static Dictionary<string, string> SignedHeaders(string signedRequest) =>
        signedRequest.Split('\n').Skip(1).TakeWhile(line => line.Length > 0)
            .Select(line => line.Split(':', 2))
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.OrdinalIgnoreCase);
}
