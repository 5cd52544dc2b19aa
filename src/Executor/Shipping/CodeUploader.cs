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

    public Task EnsureStoredAsync(IEnumerable<CodeAssembly> code, CancellationToken cancellationToken = default)
    {
        // A function's code list is one object for every Map of it (CodeCollector keeps it): once all of it is stored,
        // the next Map (every CallAsync is one) looks at nothing but this.
        if (_storedLists.TryGetValue(code, out _)) return Task.CompletedTask;
        List<Task>? pending = null;
        foreach (CodeAssembly file in code)
        {
            // An upload is shared by every Map that needs the file, so it runs on no Map's token: each waits with its own.
            Task stored = _stored.GetOrAdd(file.Hash, _ => new Lazy<Task>(() => StoreAsync(file))).Value;
            if (!stored.IsCompletedSuccessfully) (pending ??= []).Add(stored);
        }
        if (pending is not null) return Task.WhenAll(pending).WaitAsync(cancellationToken);
        _storedLists.AddOrUpdate(code, code);
        return Task.CompletedTask;
    }

    /// <summary>The code lists whose every file is stored, by reference.</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<IEnumerable<CodeAssembly>, object> _storedLists = new();

    /// <summary>How long one upload of a code file may take before it is given up (and tried again by the next Map).</summary>
    private static readonly TimeSpan UploadTimeout = TimeSpan.FromMinutes(5);

    private async Task StoreAsync(CodeAssembly file)
    {
        try
        {
            using var timeout = new CancellationTokenSource(UploadTimeout);
            string key = StorageKeys.Code(prefix, file.Hash);
            if (await storage.SizeAsync(key, timeout.Token).ConfigureAwait(false) == file.Size) return;
            byte[] bytes = await File.ReadAllBytesAsync(file.Path, timeout.Token).ConfigureAwait(false);
            await storage.PutAsync(key, bytes, timeout.Token).ConfigureAwait(false);
        }
        catch
        {
            // Let a later Map try again rather than remember the failure.
            _stored.TryRemove(file.Hash, out _);
            throw;
        }
    }
}
