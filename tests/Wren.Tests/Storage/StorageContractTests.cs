using Wren.Storage;

namespace Wren.Tests.Storage;

/// <summary>What every storage must do, the same for a folder and for S3.</summary>
public abstract class StorageContractTests
{
    private protected abstract IObjectStorage Storage { get; }

    private readonly string _prefix = $"contract/{Guid.NewGuid():N}";

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task Put_ThenGet_ReturnsTheSameBytes()
    {
        byte[] data = Bytes(10_000, 1);
        await Storage.PutAsync($"{_prefix}/a", data);
        Assert.Equal(data, await Storage.GetAsync($"{_prefix}/a"));
    }

    [Fact]
    public async Task Get_Range_ReturnsThoseBytes()
    {
        byte[] data = Bytes(5_000, 2);
        await Storage.PutAsync($"{_prefix}/ranged", data);
        Assert.Equal(data[100..350], await Storage.GetAsync($"{_prefix}/ranged", 100, 250));
        Assert.Equal(data[4_990..], await Storage.GetAsync($"{_prefix}/ranged", 4_990));
        Assert.Empty(await Storage.GetAsync($"{_prefix}/ranged", 10, 0));
    }

    [Fact]
    public async Task Put_Again_Replaces()
    {
        await Storage.PutAsync($"{_prefix}/replaced", "first"u8.ToArray());
        await Storage.PutAsync($"{_prefix}/replaced", "second"u8.ToArray());
        Assert.Equal("second"u8.ToArray(), await Storage.GetAsync($"{_prefix}/replaced"));
    }

    [Fact]
    public async Task Size_KnowsPresentAndMissingObjects()
    {
        await Storage.PutAsync($"{_prefix}/sized", Bytes(1234, 3));
        Assert.Equal(1234, await Storage.SizeAsync($"{_prefix}/sized"));
        Assert.Null(await Storage.SizeAsync($"{_prefix}/missing"));
    }

    [Fact]
    public async Task Get_Missing_ThrowsNotFoundWithTheKey()
    {
        var error = await Assert.ThrowsAsync<StorageNotFoundException>(() => Storage.GetAsync($"{_prefix}/nothing-here"));
        Assert.Equal($"{_prefix}/nothing-here", error.Key);
        Assert.Contains("wren cleanup", error.Message);
    }

    [Fact]
    public async Task List_ReturnsEveryObjectUnderThePrefixOnly()
    {
        string[] keys = [$"{_prefix}/list/a", $"{_prefix}/list/b/c", $"{_prefix}/list/b/d", $"{_prefix}/listing-other/e"];
        foreach (string key in keys) await Storage.PutAsync(key, Bytes(10, key.Length));
        var listed = new List<StoredObject>();
        await foreach (StoredObject stored in Storage.ListAsync($"{_prefix}/list/")) listed.Add(stored);
        Assert.Equal(keys[..3], listed.Select(o => o.Key).Order(StringComparer.Ordinal));
        Assert.All(listed, o => Assert.Equal(10, o.Size));
        Assert.All(listed, o => Assert.True(o.LastModified > DateTimeOffset.UtcNow.AddHours(-1)));
        var partial = new List<string>();
        await foreach (StoredObject stored in Storage.ListAsync($"{_prefix}/list")) partial.Add(stored.Key);
        Assert.Equal(4, partial.Count);
    }

    [Fact]
    public async Task List_ManyObjects_FollowsEveryPage()
    {
        for (int i = 0; i < 1_100; i++) await Storage.PutAsync($"{_prefix}/many/{i:D4}", new[] { (byte)i });
        int count = 0;
        await foreach (StoredObject _ in Storage.ListAsync($"{_prefix}/many/")) count++;
        Assert.Equal(1_100, count);
    }

    [Fact]
    public async Task Delete_RemovesTheObject()
    {
        await Storage.PutAsync($"{_prefix}/deleted", Bytes(5, 5));
        await Storage.DeleteAsync($"{_prefix}/deleted");
        Assert.Null(await Storage.SizeAsync($"{_prefix}/deleted"));
    }

    [Fact]
    public async Task Put_LargeObject_RoundTrips()
    {
        byte[] data = Bytes(S3Storage.MultipartThreshold + 5_000_000, 6);
        await Storage.PutAsync($"{_prefix}/large", data);
        Assert.Equal(data.Length, await Storage.SizeAsync($"{_prefix}/large"));
        Assert.Equal(data, await Storage.GetAsync($"{_prefix}/large"));
        Assert.Equal(data[(S3Storage.MultipartThreshold - 10)..(S3Storage.MultipartThreshold + 10)], await Storage.GetAsync($"{_prefix}/large", S3Storage.MultipartThreshold - 10, 20));
    }

    [Fact]
    public async Task PutStream_ThenOpenRead_StreamsTheBytesAndRanges()
    {
        byte[] data = Bytes(300_000, 7);
        await Storage.PutAsync($"{_prefix}/streamed", new MemoryStream(data));
        await using (Stream whole = await Storage.OpenReadAsync($"{_prefix}/streamed"))
            Assert.Equal(data, await ReadAllAsync(whole));
        await using (Stream range = await Storage.OpenReadAsync($"{_prefix}/streamed", 123_456, 1_000))
            Assert.Equal(data[123_456..124_456], await ReadAllAsync(range));
        await using (Stream tail = await Storage.OpenReadAsync($"{_prefix}/streamed", 299_990))
            Assert.Equal(data[299_990..], await ReadAllAsync(tail));
    }

    [Fact]
    public async Task PutStream_LargerThanOnePart_RoundTrips()
    {
        byte[] data = Bytes(S3Storage.MultipartThreshold + 9_000_001, 8);
        using var trickle = new TrickleStream(data);
        await Storage.PutAsync($"{_prefix}/large-stream", trickle);
        Assert.Equal(data, await Storage.GetAsync($"{_prefix}/large-stream"));
    }

    [Fact]
    public async Task OpenRead_Missing_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<StorageNotFoundException>(() => Storage.OpenReadAsync($"{_prefix}/absent"));
        Assert.Equal($"{_prefix}/absent", error.Key);
    }

    [Fact]
    public async Task GetInfo_HasSizeTimeAndTag_OrNullWhenMissing()
    {
        await Storage.PutAsync($"{_prefix}/info", Bytes(777, 9));
        StoredObject info = (await Storage.GetInfoAsync($"{_prefix}/info"))!;
        Assert.Equal(777, info.Size);
        Assert.False(string.IsNullOrEmpty(info.ETag));
        Assert.True(info.LastModified > DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Null(await Storage.GetInfoAsync($"{_prefix}/no-info"));
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>A stream that hands out at most 1,000 bytes a read and has no length, as a network stream does.</summary>
    private sealed class TrickleStream(byte[] data) : Stream
    {
        private int _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, 1_000), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

public sealed class FileStorageContractTests : StorageContractTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wren-tests", $"files-{Guid.NewGuid():N}");

    private protected override IObjectStorage Storage => new FileStorage(_root);

    [Fact]
    public void Key_EscapingTheRoot_IsRefused()
    {
        using var storage = new FileStorage(_root);
        Assert.Throws<ArgumentException>(() => storage.PathOf("../outside"));
        Assert.Throws<ArgumentException>(() => storage.PathOf("/absolute"));
        Assert.Throws<ArgumentException>(() => storage.PathOf("a//b"));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
