using Wren.Shipping;
using Wren.Storage;

namespace Wren.Tests.Shipping;

public sealed class CodeUploaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wren-uploader-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Real files in a real folder; the first look into the store waits until the test lets it go.</summary>
    private sealed class HeldStorage(string root) : IObjectStorage
    {
        private readonly FileStorage _files = new(root);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Describe => _files.Describe;

        public void Dispose() => _files.Dispose();

        public async Task<long?> SizeAsync(string key, CancellationToken cancellationToken = default)
        {
            await Release.Task.WaitAsync(cancellationToken);
            return await _files.SizeAsync(key, cancellationToken);
        }

        public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => _files.PutAsync(key, data, cancellationToken);
        public Task PutAsync(string key, Stream data, CancellationToken cancellationToken = default) => _files.PutAsync(key, data, cancellationToken);
        public Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default) => _files.OpenReadAsync(key, offset, length, cancellationToken);
        public Task<byte[]> GetAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default) => _files.GetAsync(key, offset, length, cancellationToken);
        public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken = default) => _files.ListAsync(prefix, cancellationToken);
        public Task<StoredObject?> GetInfoAsync(string key, CancellationToken cancellationToken = default) => _files.GetInfoAsync(key, cancellationToken);
        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => _files.DeleteAsync(key, cancellationToken);
    }

    [Fact]
    public async Task CancellingOneMap_DoesNotFailAnotherWaitingForTheSameUpload()
    {
        string path = Path.Combine(_folder, "code.dll");
        await File.WriteAllBytesAsync(path, [1, 2, 3, 4]);
        CodeAssembly[] code = [new("Code", path, "abc123", 4)];
        using var storage = new HeldStorage(Path.Combine(_folder, "store"));
        var uploader = new CodeUploader(storage, "p");

        using var first = new CancellationTokenSource();
        Task cancelled = uploader.EnsureStoredAsync(code, first.Token);
        Task waiting = uploader.EnsureStoredAsync(code, CancellationToken.None);
        await first.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        storage.Release.SetResult();
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([1, 2, 3, 4], await storage.GetAsync(StorageKeys.Code("p", "abc123")));
    }
}
