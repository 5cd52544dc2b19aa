using System.Runtime.CompilerServices;

namespace Wren.Storage;

/// <summary>Storage in a folder: each key is a file under the root. Writes go to a temporary file and are renamed into place, so readers never see half an object.</summary>
internal sealed class FileStorage(string root) : IObjectStorage
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Describe => Root;

    /// <summary>A folder holds nothing open between calls.</summary>
    public void Dispose()
    {
    }

    public string PathOf(string key)
    {
        if (string.IsNullOrEmpty(key) || key.StartsWith('/') || key.Split('/').Any(part => part is "" or "." or ".."))
            throw new ArgumentException($"'{key}' is not a storage key: keys are relative, '/'-separated, with no empty, '.' or '..' parts.", nameof(key));
        return Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        string path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        // A small file is written here: asynchronous file writes on Linux are the same writes on a pool thread, and the
        // hop there and back costs more than writing a few kilobytes (a job's record and stats, a call's output or log).
        cancellationToken.ThrowIfCancellationRequested();
        if (data.Length <= SmallFileBytes) File.WriteAllBytes(temporary, data.Span);
        else await File.WriteAllBytesAsync(temporary, data, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    private const int SmallFileBytes = 64 * 1024;

    public async Task PutAsync(string key, Stream data, CancellationToken cancellationToken = default)
    {
        string path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            await using (file.ConfigureAwait(false))
                await data.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        string path = PathOf(key);
        if (!File.Exists(path)) throw new StorageNotFoundException(key, Describe);
        // The file is the returned range's to close (or closed here when the range is bad); CA2000 does not follow it into BoundedStream.
#pragma warning disable CA2000
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, useAsync: true);
#pragma warning restore CA2000
        try
        {
            long count = length ?? Math.Max(0, file.Length - offset);
            if (offset < 0 || count < 0 || offset + count > file.Length)
                throw new ArgumentOutOfRangeException(nameof(length), $"Range {offset}+{count} is outside {key} ({file.Length} bytes).");
            file.Position = offset;
            Stream range = new BoundedStream(file, count);
            return Task.FromResult(range);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public Task<StoredObject?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(PathOf(key));
        return Task.FromResult(info.Exists ? Info(key, info) : null);
    }

    private static StoredObject Info(string key, FileInfo info) =>
        new(key, info.Length, info.LastWriteTimeUtc, $"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}\"");

    public async Task<byte[]> GetAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        string path = PathOf(key);
        if (!File.Exists(path)) throw new StorageNotFoundException(key, Describe);
        if (offset == 0 && length is null) return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, useAsync: false);
        long count = length ?? file.Length - offset;
        if (offset < 0 || count < 0 || offset + count > file.Length)
            throw new ArgumentOutOfRangeException(nameof(length), $"Range {offset}+{count} is outside {key} ({file.Length} bytes).");
        byte[] buffer = GC.AllocateUninitializedArray<byte>((int)count);
        file.Position = offset;
        await file.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer;
    }

    public Task<long?> SizeAsync(string key, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(PathOf(key));
        return Task.FromResult(info.Exists ? info.Length : (long?)null);
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        if (!Directory.Exists(Root)) yield break;
        // The prefix may end inside a name ("jobs/ab" matches "jobs/abc/..."): list from its folder and filter.
        int slash = prefix.LastIndexOf('/');
        string folder = slash < 0 ? Root : Path.Combine(Root, prefix[..slash]);
        if (!Directory.Exists(folder)) yield break;
        foreach (string path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (path.EndsWith(".tmp", StringComparison.Ordinal)) continue;
            string key = Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            yield return Info(key, new FileInfo(path));
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }
}
