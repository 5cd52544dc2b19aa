using System.Text;

namespace Wren.Tests.Aws;

/// <summary>
/// An HTTP/1.1 request as the signing test suite writes it in request.txt: a request line whose target may hold
/// spaces and raw UTF-8, header lines (a line starting with whitespace continues the previous value), a blank line,
/// then the body.
/// </summary>
internal sealed class SuiteRequest
{
    public required string Method { get; init; }
    public required string Path { get; init; }
    public required string? RawQuery { get; init; }
    public required string Version { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }
    public required byte[] Body { get; init; }

    public static SuiteRequest Parse(byte[] file)
    {
        (int headEnd, int bodyStart) = FindBlankLine(file);
        string head = Encoding.UTF8.GetString(file, 0, headEnd).Replace("\r\n", "\n");
        string[] lines = head.Split('\n');
        while (lines.Length > 1 && lines[^1].Length == 0) lines = lines[..^1];

        // The target is everything between the first and the last space: "GET /example space/ HTTP/1.1".
        string requestLine = lines[0];
        int firstSpace = requestLine.IndexOf(' ');
        int lastSpace = requestLine.LastIndexOf(' ');
        if (firstSpace <= 0 || lastSpace <= firstSpace) throw new FormatException($"Malformed request line '{requestLine}'.");
        string target = requestLine[(firstSpace + 1)..lastSpace];
        int question = target.IndexOf('?');

        var headers = new List<KeyValuePair<string, string>>();
        foreach (string line in lines.Skip(1))
        {
            if (line.Length > 0 && line[0] is ' ' or '\t')
            {
                if (headers.Count == 0) throw new FormatException($"Continuation line '{line}' before any header.");
                // Kept with its line break, so that rendering the request reproduces the folded lines exactly.
                headers[^1] = new(headers[^1].Key, headers[^1].Value + "\n" + line);
                continue;
            }
            int colon = line.IndexOf(':');
            if (colon <= 0) throw new FormatException($"Malformed header line '{line}'.");
            headers.Add(new(line[..colon], line[(colon + 1)..]));
        }

        return new SuiteRequest
        {
            Method = requestLine[..firstSpace],
            Path = question < 0 ? target : target[..question],
            RawQuery = question < 0 ? null : target[(question + 1)..],
            Version = requestLine[(lastSpace + 1)..],
            Headers = headers,
            Body = file[bodyStart..],
        };
    }

    /// <summary>The request as the suite writes a signed one: extra headers after the original ones.</summary>
    public string Render(string? query, IEnumerable<KeyValuePair<string, string>> extraHeaders)
    {
        var text = new StringBuilder();
        text.Append(Method).Append(' ').Append(Path);
        if (!string.IsNullOrEmpty(query)) text.Append('?').Append(query);
        text.Append(' ').Append(Version).Append('\n');
        foreach ((string name, string value) in Headers.Concat(extraHeaders)) text.Append(name).Append(':').Append(value).Append('\n');
        text.Append('\n').Append(Encoding.UTF8.GetString(Body));
        return text.ToString();
    }

    private static (int HeadEnd, int BodyStart) FindBlankLine(byte[] file)
    {
        for (int i = 0; i + 1 < file.Length; i++)
        {
            if (file[i] != '\n') continue;
            if (file[i + 1] == '\n') return (i, i + 2);
            if (file[i + 1] == '\r' && i + 2 < file.Length && file[i + 2] == '\n') return (i, i + 3);
        }
        return (file.Length, file.Length);
    }
}
