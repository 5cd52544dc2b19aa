using System.Text;

namespace Wren.Aws;

/// <summary>The percent-encoding SigV4 prescribes (RFC 3986 unreserved characters kept, UTF-8 bytes, upper-case hex).</summary>
internal static class AwsUriEncoding
{
    private const string HexDigits = "0123456789ABCDEF";

    public static bool IsUnreserved(byte b) =>
        b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~';

    /// <summary>Encodes every character of <paramref name="text"/> that is not unreserved, '%' and '/' included.</summary>
    public static string Encode(string text)
    {
        var builder = new StringBuilder(text.Length);
        AppendEncoded(builder, Encoding.UTF8.GetBytes(text));
        return builder.ToString();
    }

    /// <summary>Decodes the %XX escapes already in <paramref name="text"/>, then encodes the result canonically.</summary>
    public static string Reencode(string text)
    {
        var builder = new StringBuilder(text.Length);
        AppendEncoded(builder, Decode(text));
        return builder.ToString();
    }

    public static void AppendEncoded(StringBuilder builder, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (IsUnreserved(b)) builder.Append((char)b);
            else builder.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
        }
    }

    /// <summary>
    /// The bytes <paramref name="text"/> stands for: its UTF-8 with each valid %XX escape replaced by its byte. A '%'
    /// not followed by two hex digits stays a literal '%', and '+' stays '+', as RFC 3986 reads them.
    /// </summary>
    public static byte[] Decode(string text)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        if (Array.IndexOf(utf8, (byte)'%') < 0) return utf8;
        var decoded = new List<byte>(utf8.Length);
        for (int i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'%' && i + 2 < utf8.Length && HexValue(utf8[i + 1]) is int high && HexValue(utf8[i + 2]) is int low)
            {
                decoded.Add((byte)((high << 4) | low));
                i += 2;
            }
            else
            {
                decoded.Add(utf8[i]);
            }
        }
        return [.. decoded];
    }

    /// <summary>Splits a raw query string ("?a=1&amp;b") into raw key/value pairs; a key without '=' gets "".</summary>
    public static List<KeyValuePair<string, string>> ParseQuery(string query)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (string piece in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = piece.IndexOf('=');
            pairs.Add(equals < 0 ? new(piece, "") : new(piece[..equals], piece[(equals + 1)..]));
        }
        return pairs;
    }

    private static int? HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        _ => null,
    };
}
