using System.Globalization;

namespace Wren.Aws;

/// <summary>
/// AWS Signature Version 4: signs a request either with an Authorization header or as a presigned URL, following
/// the algorithm in the AWS documentation and checked against the AWS signing test suite.
/// </summary>
internal static class SigV4
{
    /// <summary>The algorithm name that heads the string to sign and the Authorization header.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    private const string SecurityTokenName = "X-Amz-Security-Token";

    private static readonly string[] QueryAuthParameters =
        ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires", SecurityTokenName, "X-Amz-Signature"];

    /// <summary>Signs <paramref name="request"/> for sending with an Authorization header.</summary>
    public static HeaderSignature SignHeaders(
        SignableRequest request, AwsCredentials credentials, string region, string service, DateTimeOffset now, SigV4Options? options = null)
    {
        options ??= SigV4Options.Default;
        Scope scope = ScopeOf(credentials, region, service, now);
        string payloadHash = PayloadHash(request);
        string? token = TokenOf(credentials);

        var added = new List<KeyValuePair<string, string>>(4);
        if (token is not null) added.Add(new(SecurityTokenName, token));
        added.Add(new("X-Amz-Date", scope.AmzDate));
        if (options.AddContentSha256Header) added.Add(new("x-amz-content-sha256", payloadHash));

        // A header the signer sets replaces one the caller left on the request (a retry signs again), and the
        // Authorization header is never part of what it authorizes.
        var signed = request.Headers
            .Where(header => !IsNamed(header.Key, "Authorization") && !added.Any(own => IsNamed(header.Key, own.Key)))
            .Concat(added.Where(own => options.SignSessionToken || !IsNamed(own.Key, SecurityTokenName)));
        (string headerBlock, string signedHeaders) = CanonicalHeaders.From(signed);
        string canonicalQuery = CanonicalRequest.Query(CanonicalRequest.EncodeRawQuery(request.Query));
        string canonical = CanonicalRequest.Build(
            request.Method, CanonicalPath.From(request.Path, options.NormalizePath), canonicalQuery, headerBlock, signedHeaders, payloadHash);

        (string stringToSign, string signature) = Sign(canonical, scope, credentials);
        added.Add(new("Authorization", $"{Algorithm} Credential={scope.Credential}, SignedHeaders={signedHeaders}, Signature={signature}"));
        return new HeaderSignature(canonical, stringToSign, signature, added);
    }

    /// <summary>
    /// Signs <paramref name="request"/> as a presigned URL: the authorization travels in the query, valid for
    /// <see cref="SigV4Options.Expires"/>. Every header of the request is signed, so whoever uses the URL must send them.
    /// </summary>
    public static PresignedQuery Presign(
        SignableRequest request, AwsCredentials credentials, string region, string service, DateTimeOffset now, SigV4Options? options = null)
    {
        options ??= SigV4Options.Default;
        options.Validate();
        Scope scope = ScopeOf(credentials, region, service, now);
        string? token = TokenOf(credentials);

        // No X-Amz-Date or token header here: in a presigned URL they are query parameters.
        (string headerBlock, string signedHeaders) = CanonicalHeaders.From(request.Headers.Where(header => !IsNamed(header.Key, "Authorization")));
        var added = new List<KeyValuePair<string, string>>(7)
        {
            new("X-Amz-Algorithm", Algorithm),
            new("X-Amz-Credential", scope.Credential),
            new("X-Amz-Date", scope.AmzDate),
            new("X-Amz-SignedHeaders", signedHeaders),
            new("X-Amz-Expires", ((long)options.Expires.TotalSeconds).ToString(CultureInfo.InvariantCulture)),
        };
        if (token is not null) added.Add(new(SecurityTokenName, token));

        // Presigning a URL that was presigned before replaces its authorization instead of signing it.
        var ownQuery = request.Query.Where(pair => !QueryAuthParameters.Contains(pair.Key)).ToList();
        var encodedAdded = added
            .Where(pair => options.SignSessionToken || pair.Key != SecurityTokenName)
            .Select(pair => KeyValuePair.Create(AwsUriEncoding.Encode(pair.Key), AwsUriEncoding.Encode(pair.Value)));
        string canonicalQuery = CanonicalRequest.Query(CanonicalRequest.EncodeRawQuery(ownQuery).Concat(encodedAdded));
        string canonical = CanonicalRequest.Build(
            request.Method, CanonicalPath.From(request.Path, options.NormalizePath), canonicalQuery, headerBlock, signedHeaders, PayloadHash(request));

        (string stringToSign, string signature) = Sign(canonical, scope, credentials);
        added.Add(new("X-Amz-Signature", signature));
        string queryString = string.Join('&', ownQuery.Select(pair => pair.Key + "=" + pair.Value)
            .Concat(added.Select(pair => AwsUriEncoding.Encode(pair.Key) + "=" + AwsUriEncoding.Encode(pair.Value))));
        return new PresignedQuery(canonical, stringToSign, signature, added, queryString);
    }

    /// <summary>
    /// Signs <paramref name="message"/> in place for an AWS JSON, REST or query API: removes any earlier signature
    /// headers, then adds X-Amz-Date, X-Amz-Security-Token (with a session token) and Authorization. Signs the Host
    /// (from the URI, with a non-default port), Content-Type, Content-MD5 and every x-amz-* header; <paramref name="body"/>
    /// must be the bytes the message's content will send.
    /// </summary>
    public static HeaderSignature Sign(
        HttpRequestMessage message, ReadOnlyMemory<byte> body, AwsCredentials credentials, string region, string service,
        DateTimeOffset now, SigV4Options? options = null)
    {
        options ??= SigV4Options.Default;
        ArgumentNullException.ThrowIfNull(message);
        HttpRequestSigning.RemoveSignature(message, options);
        SignableRequest request = HttpRequestSigning.ToSignable(message, body);
        HeaderSignature result = SignHeaders(request, credentials, region, service, now, options);
        HttpRequestSigning.AddHeaders(message, result.HeadersToAdd);
        return result;
    }

    private static (string StringToSign, string Signature) Sign(string canonicalRequest, Scope scope, AwsCredentials credentials)
    {
        string stringToSign = $"{Algorithm}\n{scope.AmzDate}\n{scope.CredentialScope}\n{SigV4Hashing.Sha256Hex(canonicalRequest)}";
        byte[] key = SigV4Hashing.SigningKey(credentials.SecretAccessKey, scope.Date, scope.Region, scope.Service);
        return (stringToSign, SigV4Hashing.SignatureHex(key, stringToSign));
    }

    private static Scope ScopeOf(AwsCredentials credentials, string region, string service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrWhiteSpace(credentials.AccessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(credentials.SecretAccessKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        DateTime utc = now.UtcDateTime;
        string date = utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        string credentialScope = $"{date}/{region}/{service}/aws4_request";
        return new Scope(
            utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture), date, region, service, credentialScope,
            $"{credentials.AccessKeyId}/{credentialScope}");
    }

    private static string PayloadHash(SignableRequest request) =>
        request.PayloadHash ?? (request.Body.IsEmpty ? SigV4Hashing.EmptyPayloadHash : SigV4Hashing.Sha256Hex(request.Body.Span));

    private static string? TokenOf(AwsCredentials credentials) =>
        string.IsNullOrEmpty(credentials.SessionToken) ? null : credentials.SessionToken;

    private static bool IsNamed(string name, string expected) => string.Equals(name.Trim(), expected, StringComparison.OrdinalIgnoreCase);

    private readonly record struct Scope(string AmzDate, string Date, string Region, string Service, string CredentialScope, string Credential);
}
