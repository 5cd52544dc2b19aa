using System.Text;

namespace Wren.Aws;

/// <summary>The CanonicalURI line of a SigV4 canonical request.</summary>
internal static class CanonicalPath
{
    /// <summary>
    /// With <paramref name="normalize"/>, RFC 3986 dot-segment removal plus collapsed empty segments, then each
    /// segment URI-encoded as a whole, so an escape already on the wire is encoded again ("%20" becomes "%2520"):
    /// that double encoding is what every service but S3 checks. Without it (S3), the segments stay as sent and are
    /// only brought to canonical form: escapes decoded, then everything but unreserved characters encoded once.
    /// </summary>
    public static string From(string wirePath, bool normalize)
    {
        if (wirePath.Length == 0) return "/";
        return normalize ? Normalized(wirePath) : AsSent(wirePath);
    }

    private static string Normalized(string wirePath)
    {
        string[] segments = wirePath.Split('/');
        var kept = new List<string>(segments.Length);
        foreach (string segment in segments)
        {
            if (segment is "" or ".") continue;
            if (segment == "..")
            {
                if (kept.Count > 0) kept.RemoveAt(kept.Count - 1);
                continue;
            }
            kept.Add(segment);
        }
        // "/a/b/" and "/a/b/." both name a directory, and RFC 3986 keeps the slash for them ("/a/b/.." too).
        bool directory = segments[^1] is "" or "." or "..";
        var builder = new StringBuilder(wirePath.Length + 16);
        foreach (string segment in kept) builder.Append('/').Append(AwsUriEncoding.Encode(segment));
        if (kept.Count == 0 || directory) builder.Append('/');
        return builder.ToString();
    }

    private static string AsSent(string wirePath)
    {
        // Splitting before decoding keeps an encoded slash ("%2F", part of an S3 key) apart from a real separator.
        string[] segments = wirePath.Split('/');
        var builder = new StringBuilder(wirePath.Length + 16);
        for (int i = 0; i < segments.Length; i++)
        {
            if (i > 0) builder.Append('/');
            AwsUriEncoding.AppendEncoded(builder, AwsUriEncoding.Decode(segments[i]));
        }
        return builder.ToString();
    }
}
