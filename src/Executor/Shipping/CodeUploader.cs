using System.Collections.Concurrent;
using Wren.Storage;

namespace Wren.Shipping;

/// <summary>
/// Puts code files into storage under their hash, once: a hash this process has seen stored is not checked again, and
/// one already in storage (from an earlier process) is not uploaded again.
/// </summary>
internal sealed class CodeUploader(IObjectStorage storage, string prefix)
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> _stored = new();

    public Task EnsureStoredAsync(IEnumerable<CodeAssembly> code, CancellationToken cancellationToken = default) =>
        Task.WhenAll(code.Select(file => _stored.GetOrAdd(file.Hash, _ => new Lazy<Task>(() => StoreAsync(file, cancellationToken))).Value));

    private async Task StoreAsync(CodeAssembly file, CancellationToken cancellationToken)
    {
        try
        {
            string key = StorageKeys.Code(prefix, file.Hash);
            if (await storage.SizeAsync(key, cancellationToken).ConfigureAwait(false) == file.Size) return;
            byte[] bytes = await File.ReadAllBytesAsync(file.Path, cancellationToken).ConfigureAwait(false);
            await storage.PutAsync(key, bytes, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Let a later Map try again rather than remember the failure.
            _stored.TryRemove(file.Hash, out _);
            throw;
        }
    }
}
