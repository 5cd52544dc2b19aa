using System.Text;

namespace Wren.Aws;

/// <summary>The CanonicalHeaders and SignedHeaders lines of a SigV4 canonical request.</summary>
internal static class CanonicalHeaders
{
    /// <summary>
    /// Lower-cased names in ordinal order, each once; the values of a repeated name joined by commas in the order
    /// they were sent (the server sees them in that order, so sorting them would break the signature).
    /// </summary>
    public static (string Block, string SignedHeaders) From(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var byName = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach ((string name, string value) in headers)
        {
            string key = name.Trim().ToLowerInvariant();
            if (!byName.TryGetValue(key, out List<string>? values)) byName[key] = values = [];
            values.Add(TrimAll(value));
        }
        var block = new StringBuilder();
        foreach ((string name, List<string> values) in byName)
            block.Append(name).Append(':').AppendJoin(',', values).Append('\n');
        return (block.ToString(), string.Join(';', byName.Keys));
    }

    /// <summary>
    /// Trims the value and turns each run of whitespace into one space, quoted text included. Line breaks count
    /// as whitespace, which is how a folded (multi-line) value becomes one line.
    /// </summary>
    public static string TrimAll(string value)
    {
        var builder = new StringBuilder(value.Length);
        bool pendingSpace = false;
        foreach (char c in value)
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (pendingSpace) builder.Append(' ');
            pendingSpace = false;
            builder.Append(c);
        }
        return builder.ToString();
    }
}
