using System.Net;
using Amazon.S3;
using Wren.Aws;
using Wren.Aws.Lambda;
using Wren.Jobs;
using Wren.Storage;

namespace Wren.Tests.Storage;

/// <summary>Whoever makes a client or storage disposes it; one handed in stays its giver's.</summary>
public sealed class OwnershipTests
{
    private static string? Environment(string name) => name switch
    {
        "AWS_ACCESS_KEY_ID" => "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY" => "secret",
        "AWS_ENDPOINT_URL" => "http://127.0.0.1:9",
        _ => null,
    };

    /// <summary>Answers every request with 404 and counts them, so a test sees whether a client still sends.</summary>
    private sealed class NotFoundHandler : HttpMessageHandler
    {
        public int Requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Requests);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new ByteArrayContent([]) });
        }
    }

    [Fact]
    public async Task S3Storage_GivenAClient_LeavesItOpen()
    {
        using var handler = new NotFoundHandler();
        using IAmazonS3 client = S3Storage.CreateClient("us-east-1", handler, Environment);
        new S3Storage("bucket", "us-east-1", client).Dispose();

        using var again = new S3Storage("bucket", "us-east-1", client);
        Assert.Null(await again.SizeAsync("key"));
        Assert.Equal(1, handler.Requests);
    }

    [Fact]
    public async Task S3Storage_ItsOwnClient_IsDisposedWithIt()
    {
        using var handler = new NotFoundHandler();
        var storage = new S3Storage("bucket", AwsContext.FromEnvironment("us-east-1", environment: Environment), handler);
        Assert.Null(await storage.SizeAsync("key"));

        storage.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => storage.SizeAsync("key"));
        Assert.Equal(1, handler.Requests);
    }

    [Fact]
    public async Task AwsClient_Disposed_SendsNoMore()
    {
        using var handler = new NotFoundHandler();
        var lambda = new LambdaClient(AwsContext.FromEnvironment("us-east-1", environment: Environment), handler);

        lambda.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => lambda.GetFunctionConfigurationAsync("f"));
        Assert.Equal(0, handler.Requests);
    }

    [Fact]
    public void JobStore_DisposesTheStorageOnlyWhenItOwnsIt()
    {
        using var given = new CountingStorage();
        using (new JobStore(given, "wren")) { }
        Assert.Equal(0, given.Disposed);

        using var owned = new CountingStorage();
        using (new JobStore(owned, "wren", ownsStorage: true)) { }
        Assert.Equal(1, owned.Disposed);
    }

    private sealed class CountingStorage : IObjectStorage
    {
        private readonly FileStorage _files = new(Path.GetTempPath());

        public int Disposed;

        public string Describe => "counting";

        public void Dispose()
        {
            Disposed++;
            _files.Dispose();
        }

        public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => _files.PutAsync(key, data, cancellationToken);

        public Task PutAsync(string key, Stream data, CancellationToken cancellationToken = default) => _files.PutAsync(key, data, cancellationToken);

        public Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default) =>
            _files.OpenReadAsync(key, offset, length, cancellationToken);

        public Task<StoredObject?> GetInfoAsync(string key, CancellationToken cancellationToken = default) => _files.GetInfoAsync(key, cancellationToken);

        public Task<byte[]> GetAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default) =>
            _files.GetAsync(key, offset, length, cancellationToken);

        public Task<long?> SizeAsync(string key, CancellationToken cancellationToken = default) => _files.SizeAsync(key, cancellationToken);

        public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken = default) => _files.ListAsync(prefix, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => _files.DeleteAsync(key, cancellationToken);
    }
}
