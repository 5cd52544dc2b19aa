using Amazon.S3;
using Wren.Storage;

namespace Wren.Tests.Data;

/// <summary>The public storage API, what users call from the client and from calls: the same on a folder and on S3.</summary>
public abstract class WrenStorageContractTests
{
    private protected abstract WrenStorage Storage { get; }

    private protected readonly string Prefix = $"data-{Guid.NewGuid():N}/";

    [Fact]
    public async Task PutGetRangeInfoListDelete_Work()
    {
        await Storage.PutAsync($"{Prefix}books/b.txt", "bee"u8.ToArray());
        await Storage.PutAsync($"{Prefix}books/a.txt", new MemoryStream("hello world"u8.ToArray()));
        await Storage.PutAsync($"{Prefix}other/c.txt", "c"u8.ToArray());
        Assert.Equal("hello world"u8.ToArray(), await Storage.GetAsync($"{Prefix}books/a.txt"));
        await using (Stream part = await Storage.OpenReadAsync($"{Prefix}books/a.txt", offset: 6, length: 5))
        using (var reader = new StreamReader(part))
            Assert.Equal("world", await reader.ReadToEndAsync());
        await using (Stream rest = await Storage.OpenReadAsync($"{Prefix}books/a.txt", offset: 6))
        using (var reader = new StreamReader(rest))
            Assert.Equal("world", await reader.ReadToEndAsync());
        StorageObject info = (await Storage.GetInfoAsync($"{Prefix}books/a.txt"))!;
        Assert.Equal(($"{Prefix}books/a.txt", 11L), (info.Key, info.Size));
        Assert.NotEmpty(info.ETag);
        var listed = new List<string>();
        await foreach (StorageObject o in Storage.ListAsync($"{Prefix}books/")) listed.Add(o.Key);
        Assert.Equal([$"{Prefix}books/a.txt", $"{Prefix}books/b.txt"], listed);
        Assert.True(await Storage.DeleteAsync($"{Prefix}books/b.txt"));
        Assert.False(await Storage.DeleteAsync($"{Prefix}books/b.txt"));
        Assert.Null(await Storage.GetInfoAsync($"{Prefix}books/b.txt"));
    }

    [Fact]
    public async Task List_PastOneThousandKeys_PagesInKeyOrder()
    {
        for (int i = 1_049; i >= 0; i--) await Storage.PutAsync($"{Prefix}many/{i:D5}", new[] { (byte)i });
        var keys = new List<string>();
        await foreach (StorageObject o in Storage.ListAsync($"{Prefix}many/")) keys.Add(o.Key);
        Assert.Equal(Enumerable.Range(0, 1_050).Select(i => $"{Prefix}many/{i:D5}"), keys);
    }

    [Fact]
    public async Task Get_Missing_ThrowsThePublicNotFound()
    {
        var error = await Assert.ThrowsAsync<StorageNotFoundException>(() => Storage.GetAsync($"{Prefix}nope/x"));
        Assert.IsAssignableFrom<WrenException>(error);
        Assert.Equal($"{Prefix}nope/x", error.Key);
        Assert.Equal($"'{Prefix}nope/x' is not in {Storage.Location}.", error.Message);
        await Assert.ThrowsAsync<StorageNotFoundException>(() => Storage.OpenReadAsync($"{Prefix}nope/x"));
    }

    [Fact]
    public async Task OpenRead_PastTheEnd_IsRefused()
    {
        await Storage.PutAsync($"{Prefix}short", "abc"u8.ToArray());
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Storage.OpenReadAsync($"{Prefix}short", 2, 5));
        Assert.Contains($"past the end of '{Prefix}short' (3 bytes)", error.Message);
    }
}

public sealed class FolderWrenStorageTests : WrenStorageContractTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wren-tests", $"data-{Guid.NewGuid():N}");
    private readonly FileStorage _files;
    private readonly WrenStorage _storage;

    public FolderWrenStorageTests()
    {
        _files = new FileStorage(_root);
        _storage = new WrenStorage(_files, null);
    }

    private protected override WrenStorage Storage => _storage;

    public void Dispose()
    {
        _files.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task S3Location_OnTheLocalBackend_SaysWhereTheDataIs()
    {
        var error = await Assert.ThrowsAsync<WrenException>(() => _storage.GetAsync("s3://their-bucket/logs/a"));
        Assert.Contains("'s3://their-bucket/logs/a' names an S3 bucket, but this executor runs on the local backend", error.Message);
        Assert.Contains(Path.GetFullPath(_root), error.Message);
    }

    [Theory]
    [InlineData("/abs", "keys do not start with '/'")]
    [InlineData("s3:///key", "names no bucket")]
    [InlineData("", "names no object")]
    public async Task BadKeys_AreRefusedWithWhatToWrite(string key, string message)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _storage.GetAsync(key));
        Assert.Contains(message, error.Message);
    }
}

/// <summary>The same contract on S3 (moto), and another bucket named by s3://.</summary>
[Trait("Category", "Slow")]
public sealed class S3WrenStorageTests(S3WrenStorageTests.Buckets buckets) : WrenStorageContractTests, IClassFixture<S3WrenStorageTests.Buckets>
{
    public sealed class Buckets : IAsyncLifetime
    {
        public MotoServer Moto { get; } = new();

        internal S3Storage Main { get; private set; } = null!;

        public string Other { get; } = $"wren-other-{Guid.NewGuid():N}"[..24];

        internal WrenStorage Storage { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await Moto.StartIfInstalledAsync();
            Moto.Require();
            string main = $"wren-{Guid.NewGuid():N}"[..24];
            using (IAmazonS3 s3 = S3Storage.CreateClient(MotoServer.Region, environment: Moto.Environment()))
            {
                await s3.PutBucketAsync(main);
                await s3.PutBucketAsync(Other);
            }
            Main = new S3Storage(main, MotoServer.Region, environment: Moto.Environment());
            Storage = new WrenStorage(Main, bucket => new S3Storage(bucket, MotoServer.Region, environment: Moto.Environment()));
        }

        public async Task DisposeAsync()
        {
            Main?.Dispose();
            await Moto.DisposeAsync();
        }
    }

    private protected override WrenStorage Storage => buckets.Storage;

    [Fact]
    public async Task S3Location_NamesAnotherBucket()
    {
        string key = $"s3://{buckets.Other}/{Prefix}x.txt";
        await Storage.PutAsync(key, "other"u8.ToArray());
        Assert.Equal("other"u8.ToArray(), await Storage.GetAsync(key));
        Assert.Null(await Storage.GetInfoAsync($"{Prefix}x.txt"));
        var listed = new List<string>();
        await foreach (StorageObject o in Storage.ListAsync($"s3://{buckets.Other}/{Prefix}")) listed.Add(o.Key);
        Assert.Equal([key], listed);
    }
}
