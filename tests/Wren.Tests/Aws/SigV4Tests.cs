using System.Text;
using Wren.Aws;

namespace Wren.Tests.Aws;

/// <summary>What the test suite does not cover: signing a real HttpRequestMessage, ports, re-signing, options.</summary>
public sealed class SigV4Tests
{
    private static readonly AwsCredentials Credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token/+=");
    private static readonly DateTimeOffset Now = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    [Fact]
    public void Sign_NonDefaultPort_SignsHostWithPort_AsTheNeutralRequestDoes()
    {
        byte[] body = Encoding.UTF8.GetBytes("""{"FunctionName":"f"}""");
        using var message = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:4566/2015-03-31/functions/f:1/invocations?Qualifier=x y")
        {
            Content = new ByteArrayContent(body),
        };
        message.Content.Headers.ContentType = new("application/json");
        message.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", "Event");
        message.Headers.UserAgent.ParseAdd("wren/1.0");

        HeaderSignature signed = SigV4.Sign(message, body, Credentials, "us-east-1", "lambda", Now);

        var neutral = new SignableRequest
        {
            Method = "POST",
            Path = "/2015-03-31/functions/f:1/invocations",
            Query = [new("Qualifier", "x%20y")],
            Headers = [new("Host", "127.0.0.1:4566"), new("X-Amz-Invocation-Type", "Event"), new("Content-Type", "application/json")],
            Body = body,
        };
        HeaderSignature expected = SigV4.SignHeaders(neutral, Credentials, "us-east-1", "lambda", Now);
        Assert.Equal(expected.CanonicalRequest, signed.CanonicalRequest);
        Assert.Contains("\nhost:127.0.0.1:4566\n", signed.CanonicalRequest);
        // The path is encoded again (the raw colon becomes %3A); the query only canonically, so %20 stays %20.
        Assert.StartsWith("POST\n/2015-03-31/functions/f%3A1/invocations\nQualifier=x%20y\n", signed.CanonicalRequest);
        Assert.EndsWith("SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type;x-amz-security-token, Signature=" + signed.Signature,
            Assert.Single(message.Headers.GetValues("Authorization")));
    }

    [Fact]
    public void Sign_Twice_ReplacesTheEarlierSignature()
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/");
        SigV4.Sign(message, default, Credentials, "us-east-1", "service", Now.AddMinutes(-5));

        HeaderSignature second = SigV4.Sign(message, default, Credentials, "us-east-1", "service", Now);

        Assert.Equal("20150830T123600Z", Assert.Single(message.Headers.GetValues("X-Amz-Date")));
        Assert.Equal(Credentials.SessionToken, Assert.Single(message.Headers.GetValues("X-Amz-Security-Token")));
        Assert.EndsWith("Signature=" + second.Signature, Assert.Single(message.Headers.GetValues("Authorization")));
        Assert.Contains("SignedHeaders=host;x-amz-date;x-amz-security-token,", second.HeadersToAdd[^1].Value);
    }

    [Fact]
    public void SignHeaders_ContentSha256Asked_AddsAndSignsIt()
    {
        var request = new SignableRequest { Method = "PUT", Path = "/k", Headers = [new("Host", "b.s3.amazonaws.com")], Body = "x"u8.ToArray() };

        HeaderSignature signed = SigV4.SignHeaders(request, Credentials with { SessionToken = null }, "us-east-1", "s3", Now,
            new SigV4Options { AddContentSha256Header = true, NormalizePath = false });

        string hash = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
        Assert.Equal(["X-Amz-Date", "x-amz-content-sha256", "Authorization"], signed.HeadersToAdd.Select(header => header.Key));
        Assert.Equal(hash, signed.HeadersToAdd[1].Value);
        Assert.EndsWith("\nhost;x-amz-content-sha256;x-amz-date\n" + hash, signed.CanonicalRequest);
    }

    [Fact]
    public void Presign_ExpiresOutOfRange_ThrowsNamingTheLimit()
    {
        var request = new SignableRequest { Method = "GET", Path = "/", Headers = [new("Host", "example.amazonaws.com")] };

        var error = Assert.Throws<ArgumentException>(() =>
            SigV4.Presign(request, Credentials, "us-east-1", "s3", Now, new SigV4Options { Expires = TimeSpan.FromDays(8) }));

        Assert.Contains("604800 seconds", error.Message);
    }

    [Fact]
    public void Credentials_ToString_HidesTheSecretAndToken()
    {
        string text = Credentials.ToString();

        Assert.Contains("AKIDEXAMPLE", text);
        Assert.DoesNotContain(Credentials.SecretAccessKey, text);
        Assert.DoesNotContain(Credentials.SessionToken!, text);
    }
}
