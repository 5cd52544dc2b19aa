using Wren.Storage;

namespace Wren.Tests.Data;

/// <summary>The public storage API over a folder: what users call from the client and from calls.</summary>
public sealed class WrenStorageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wren-tests", $"data-{Guid.NewGuid():N}");
    private readonly WrenStorage _storage;

    public WrenStorageTests() => _storage = new WrenStorage(new FileStorage(_root), null);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task PutGetInfoListDelete_WorkOnTheFolder()
    {
        await _storage.PutAsync("books/b.txt", "bee"u8.ToArray());
        await _storage.PutAsync("books/a.txt", new MemoryStream("hello world"u8.ToArray()));
        await _storage.PutAsync("other/c.txt", "c"u8.ToArray());
        Assert.Equal("hello world"u8.ToArray(), await _storage.GetAsync("books/a.txt"));
        await using (Stream part = await _storage.OpenReadAsync("books/a.txt", offset: 6, length: 5))
            Assert.Equal("world", await new StreamReader(part).ReadToEndAsync());
        StorageObject info = (await _storage.GetInfoAsync("books/a.txt"))!;
        Assert.Equal(("books/a.txt", 11L), (info.Key, info.Size));
        Assert.NotEmpty(info.ETag);
        var listed = new List<string>();
        await foreach (StorageObject o in _storage.ListAsync("books/")) listed.Add(o.Key);
        Assert.Equal(["books/a.txt", "books/b.txt"], listed);
        Assert.True(await _storage.DeleteAsync("books/b.txt"));
        Assert.False(await _storage.DeleteAsync("books/b.txt"));
        Assert.Null(await _storage.GetInfoAsync("books/b.txt"));
    }

    [Fact]
    public async Task Get_Missing_ThrowsThePublicNotFound()
    {
        var error = await Assert.ThrowsAsync<StorageNotFoundException>(() => _storage.GetAsync("nope/x"));
        Assert.IsAssignableFrom<WrenException>(error);
        Assert.Equal("nope/x", error.Key);
        Assert.Equal($"'nope/x' is not in {Path.GetFullPath(_root)}.", error.Message);
        await Assert.ThrowsAsync<StorageNotFoundException>(() => _storage.OpenReadAsync("nope/x"));
    }

    [Fact]
    public async Task OpenRead_PastTheEnd_IsRefused()
    {
        await _storage.PutAsync("short", "abc"u8.ToArray());
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _storage.OpenReadAsync("short", 2, 5));
        Assert.Contains("past the end of 'short' (3 bytes)", error.Message);
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
