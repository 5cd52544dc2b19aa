namespace Wren.Aws;

/// <summary>What <see cref="SigV4.SignHeaders"/> computed: the headers to send, and the steps that led to them.</summary>
/// <param name="CanonicalRequest">The canonical request that was hashed.</param>
/// <param name="StringToSign">The string the signing key signed.</param>
/// <param name="Signature">The lower-case hex signature.</param>
/// <param name="HeadersToAdd">
/// The headers to add to the request, in this order: X-Amz-Security-Token (with a session token), X-Amz-Date,
/// x-amz-content-sha256 (when asked for), Authorization.
/// </param>
internal sealed record HeaderSignature(
    string CanonicalRequest,
    string StringToSign,
    string Signature,
    IReadOnlyList<KeyValuePair<string, string>> HeadersToAdd);
