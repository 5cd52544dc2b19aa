namespace Wren.Aws;

/// <summary>What <see cref="SigV4.Presign"/> computed: the query of the presigned URL, and the steps that led to it.</summary>
/// <param name="CanonicalRequest">The canonical request that was hashed.</param>
/// <param name="StringToSign">The string the signing key signed.</param>
/// <param name="Signature">The lower-case hex signature.</param>
/// <param name="ParametersToAdd">
/// The query parameters to append, not yet encoded, in the order AWS's own signers append them: X-Amz-Algorithm,
/// X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders, X-Amz-Expires, X-Amz-Security-Token (with a session token),
/// X-Amz-Signature.
/// </param>
/// <param name="QueryString">
/// The whole query to send, without the '?': the request's own pairs as they were, then the added ones encoded.
/// </param>
internal sealed record PresignedQuery(
    string CanonicalRequest,
    string StringToSign,
    string Signature,
    IReadOnlyList<KeyValuePair<string, string>> ParametersToAdd,
    string QueryString);
