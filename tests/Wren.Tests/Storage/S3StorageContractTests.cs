using Amazon.S3;
using Wren.Storage;
using Wren.Tests.Support;

namespace Wren.Tests.Storage;

/// <summary>The storage contract against S3 on moto, through AWSSDK.S3 (multipart included).</summary>
[Trait("Category", "Slow")]
public sealed class S3StorageContractTests(S3StorageContractTests.Bucket bucket) : StorageContractTests, IClassFixture<S3StorageContractTests.Bucket>
{
    private protected override IObjectStorage Storage => bucket.Storage;

    public sealed class Bucket : IAsyncLifetime, IAsyncDisposable
    {
        private readonly MotoServer _moto = new();
        private bool _disposed;

        internal S3Storage Storage { get; private set; } = null!;

        public string Name { get; } = $"wren-{Guid.NewGuid():N}"[..24];

        public async Task InitializeAsync()
        {
            await _moto.StartIfInstalledAsync();
            _moto.Require();
            using (IAmazonS3 s3 = S3Storage.CreateClient(MotoServer.Region, environment: _moto.Environment()))
                await s3.PutBucketAsync(Name);
            Storage = new S3Storage(Name, MotoServer.Region, environment: _moto.Environment());
        }

        public async Task DisposeAsync()
        {
            if (_disposed) return;
            _disposed = true;
            Storage?.Dispose();
            await _moto.DisposeAsync();
        }

        // xunit disposes the fixture through IAsyncLifetime; this makes its ownership of moto visible too, and runs once.
        ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

        internal MotoServer Moto => _moto;
    }

    [Fact]
    public async Task MissingBucket_SaysHowToCreateIt()
    {
        using var storage = new S3Storage("no-such-bucket-x", MotoServer.Region, environment: bucket.Moto.Environment());
        var error = await Assert.ThrowsAsync<WrenException>(() => storage.PutAsync("k", new byte[] { 1 }));
        Assert.Contains("Bucket no-such-bucket-x does not exist", error.Message);
        Assert.Contains("aws s3 mb s3://no-such-bucket-x", error.Message);
        var check = await Assert.ThrowsAsync<WrenException>(() => storage.CheckReachableAsync());
        Assert.Contains("does not exist", check.Message);
    }
}

/// <summary>S3 that throttles and drops connections: Wren's storage rides it out.</summary>
[Trait("Category", "Slow")]
public sealed class S3StorageFaultTests(S3StorageContractTests.Bucket bucket) : IClassFixture<S3StorageContractTests.Bucket>
{
    [Fact]
    public async Task ThrottlingAndDroppedConnections_AreRetriedUntilTheRequestSucceeds()
    {
        using var handler = new FaultyS3Handler(n => n <= 4);
        using var storage = new S3Storage(bucket.Name, MotoServer.Region, handler: handler, environment: bucket.Moto.Environment());
        byte[] data = [1, 2, 3, 4, 5];
        await storage.PutAsync("faults/put", data);
        Assert.Equal(4, handler.Faults);
        Assert.Equal(data, await storage.GetAsync("faults/put"));
    }
}
