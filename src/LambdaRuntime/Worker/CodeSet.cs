using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;
using Wren.Protocol;
using Wren.Storage;

namespace Wren.Worker;

/// <summary>
/// The user's assemblies for a job, loaded into their own load context. Wren's runtime and the framework come from the
/// worker's default context, so Wren's types are the same on both sides. Kept while the worker is warm.
/// </summary>
internal sealed class CodeSet : AssemblyLoadContext
{
    private readonly Dictionary<string, string> _paths;

    private CodeSet(string key, Dictionary<string, string> paths) : base($"wren-{key[..Math.Min(12, key.Length)]}")
    {
        _paths = paths;
        UserAssemblies = [.. paths.Keys.Select(name => LoadFromAssemblyName(new AssemblyName(name)))];
    }

    public IReadOnlyList<Assembly> UserAssemblies { get; }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // What the worker itself has (the framework, Wren's runtime) is shared; everything else comes from the job's code.
        if (assemblyName.Name is null) return null;
        if (Default.Assemblies.Any(a => a.GetName().Name == assemblyName.Name)) return null;
        return _paths.TryGetValue(assemblyName.Name, out string? path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>Makes sure every file is on local disk (downloading and checking its hash if needed) and loads the set.</summary>
    public static async Task<CodeSet> LoadAsync(string setKey, IReadOnlyList<CodeFile> files, IObjectStorage storage, string prefix, string cacheFolder, CancellationToken cancellationToken)
    {
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (CodeFile file in files)
        {
            string key = StorageKeys.Code(prefix, file.Hash);
            string path;
            if (storage is FileStorage local)
            {
                path = local.PathOf(key);
                if (!File.Exists(path)) throw new StorageNotFoundException(key, storage.Describe);
            }
            else
            {
                path = Path.Combine(cacheFolder, $"{file.Hash}.dll");
                if (!File.Exists(path))
                {
                    byte[] bytes = await storage.GetAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
                    string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
                    if (actual != file.Hash) throw new WrenException($"Code file {key} has hash {actual}, not {file.Hash}: storage holds a damaged or replaced copy; delete it and run the Map again.");
                    Directory.CreateDirectory(cacheFolder);
                    string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
                    await File.WriteAllBytesAsync(temporary, bytes, cancellationToken).ConfigureAwait(false);
                    File.Move(temporary, path, overwrite: true);
                }
            }
            paths[file.Name] = path;
        }
        return new CodeSet(setKey, paths);
    }
}
