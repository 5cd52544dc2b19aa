using System.Collections.Concurrent;
using System.Text.Json;

namespace Wren.Tests.Support;

/// <summary>Passes requests on to the network and keeps each one's path and JSON body, to check what a client sent.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The DelegatingHandler owns and disposes its inner SocketsHttpHandler.")]
internal sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentQueue<SentRequest> _sent = new();

    public IReadOnlyList<SentRequest> Sent => [.. _sent];

    /// <summary>The JSON bodies sent to this path, such as /v1/describejobs.</summary>
    public IReadOnlyList<JsonElement> Bodies(string path) => [.. _sent.Where(r => r.Path == path).Select(r => r.Body)];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[] body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        JsonElement json = default;
        if (body.Length > 0)
        {
            using JsonDocument document = JsonDocument.Parse(body);
            json = document.RootElement.Clone();
        }
        _sent.Enqueue(new SentRequest(request.RequestUri!.AbsolutePath, json));
        return await base.SendAsync(request, cancellationToken);
    }
}

internal sealed record SentRequest(string Path, JsonElement Body);
