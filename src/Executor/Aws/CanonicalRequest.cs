using System.Text;

namespace Wren.Aws;

/// <summary>Assembles the SigV4 canonical request from its already-canonical parts.</summary>
internal static class CanonicalRequest
{
    /// <summary>The query's pairs canonically re-encoded, as the server will decode and re-encode them.</summary>
    public static IEnumerable<KeyValuePair<string, string>> EncodeRawQuery(IEnumerable<KeyValuePair<string, string>> rawQuery) =>
        rawQuery.Select(pair => KeyValuePair.Create(AwsUriEncoding.Reencode(pair.Key), AwsUriEncoding.Reencode(pair.Value)));

    /// <summary>Encoded pairs sorted by key, then value (ordinal, i.e. by byte), joined as k=v&amp;k=v.</summary>
    public static string Query(IEnumerable<KeyValuePair<string, string>> encodedPairs) =>
        string.Join('&', encodedPairs
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .ThenBy(pair => pair.Value, StringComparer.Ordinal)
            .Select(pair => pair.Key + "=" + pair.Value));

    public static string Build(string method, string canonicalPath, string canonicalQuery, string headerBlock, string signedHeaders, string payloadHash) =>
        new StringBuilder()
            .Append(method).Append('\n')
            .Append(canonicalPath).Append('\n')
            .Append(canonicalQuery).Append('\n')
            .Append(headerBlock).Append('\n')
            .Append(signedHeaders).Append('\n')
            .Append(payloadHash)
            .ToString();
}
