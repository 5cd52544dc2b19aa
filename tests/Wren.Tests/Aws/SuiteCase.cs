using System.Globalization;
using System.Text;
using System.Text.Json;
using Wren.Aws;

namespace Wren.Tests.Aws;

/// <summary>One folder of the AWS signing test suite: the request, its signing context and the expected files.</summary>
internal sealed class SuiteCase
{
    public static readonly string[] ExpectedFiles =
    [
        "request.txt", "context.json",
        "header-canonical-request.txt", "header-string-to-sign.txt", "header-signature.txt", "header-signed-request.txt",
        "query-canonical-request.txt", "query-string-to-sign.txt", "query-signature.txt", "query-signed-request.txt",
    ];

    private static readonly Lazy<string> SuiteFolder = new(FindSuite);

    public required string Folder { get; init; }
    public required SuiteRequest Request { get; init; }
    public required AwsCredentials Credentials { get; init; }
    public required string Region { get; init; }
    public required string Service { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required bool Normalize { get; init; }
    public required bool SignBody { get; init; }
    public required bool OmitSessionToken { get; init; }
    public required TimeSpan Expires { get; init; }

    public static string Root => SuiteFolder.Value;

    public static IEnumerable<string> Names() =>
        Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    public static SuiteCase Load(string name)
    {
        string folder = Path.Combine(Root, name);
        using JsonDocument context = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "context.json")));
        JsonElement root = context.RootElement;
        JsonElement credentials = root.GetProperty("credentials");
        return new SuiteCase
        {
            Folder = folder,
            Request = SuiteRequest.Parse(File.ReadAllBytes(Path.Combine(folder, "request.txt"))),
            Credentials = new AwsCredentials(
                credentials.GetProperty("access_key_id").GetString()!,
                credentials.GetProperty("secret_access_key").GetString()!,
                credentials.TryGetProperty("token", out JsonElement token) ? token.GetString() : null),
            Region = root.GetProperty("region").GetString()!,
            Service = root.GetProperty("service").GetString()!,
            Timestamp = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            Normalize = root.GetProperty("normalize").GetBoolean(),
            SignBody = root.GetProperty("sign_body").GetBoolean(),
            OmitSessionToken = root.TryGetProperty("omit_session_token", out JsonElement omit) && omit.GetBoolean(),
            Expires = TimeSpan.FromSeconds(root.GetProperty("expiration_in_seconds").GetInt32()),
        };
    }

    public string Expected(string file) => Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(Folder, file)));

    public SigV4Options Options => new()
    {
        NormalizePath = Normalize,
        AddContentSha256Header = SignBody,
        SignSessionToken = !OmitSessionToken,
        Expires = Expires,
    };

    public SignableRequest ToSignable() => new()
    {
        Method = Request.Method,
        Path = Request.Path,
        Query = Request.RawQuery is null ? [] : AwsUriEncoding.ParseQuery(Request.RawQuery),
        Headers = Request.Headers,
        Body = Request.Body,
    };

    // The suite is part of the tests (tests/Wren.Tests/Aws/sigv4-test-suite), copied beside the test assembly.
    private static string FindSuite()
    {
        string suite = Path.Combine(AppContext.BaseDirectory, "Aws", "sigv4-test-suite");
        return Directory.Exists(suite) ? suite : throw new InvalidOperationException(
            $"The AWS SigV4 signing test suite is missing from {suite}: it is copied there from tests/Wren.Tests/Aws/sigv4-test-suite when the tests are built; rebuild them.");
    }
}
