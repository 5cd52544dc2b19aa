using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using Wren.Serialization;
using Wren.Serialization.Types;

namespace Wren.Shipping;

/// <summary>
/// Finds the assemblies a function needs that the worker does not have: the function's own assembly and everything it
/// references, transitively, except the framework and Wren's runtime (which every worker has).
/// </summary>
internal static class CodeCollector
{
    private static readonly ConcurrentDictionary<Assembly, CodeAssembly> Hashed = new();

    /// <summary>What the worker's own runtime references (the AWS SDK for S3): every worker package has them.</summary>
    private static readonly HashSet<string> WorkerDependencies =
        [.. typeof(WrenSerializer).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").Where(n => n.StartsWith("AWSSDK.", StringComparison.Ordinal))];
    private static readonly string RuntimeDirectory = Path.GetFullPath(RuntimeEnvironment.GetRuntimeDirectory());
    private static readonly bool SelfContained = string.Equals(
        Path.TrimEndingDirectorySeparator(RuntimeDirectory), Path.TrimEndingDirectorySeparator(Path.GetFullPath(AppContext.BaseDirectory)), StringComparison.Ordinal);

    private static readonly ConcurrentDictionary<string, IReadOnlyList<CodeAssembly>> Collected = new();

    /// <summary>The code files for these root assemblies; the walk is done once per set of roots.</summary>
    public static IReadOnlyList<CodeAssembly> Collect(IEnumerable<Assembly> roots)
    {
        Assembly[] distinct = [.. roots.Distinct()];
        string key = string.Join("|", distinct.Select(a => $"{a.FullName}@{(a.IsDynamic ? "" : a.Location)}").Order(StringComparer.Ordinal));
        return Collected.GetOrAdd(key, _ => Walk(distinct));
    }

    private static IReadOnlyList<CodeAssembly> Walk(IEnumerable<Assembly> roots)
    {
        var found = new Dictionary<string, CodeAssembly>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<Assembly>(roots.Distinct());
        var seen = new HashSet<Assembly>();
        while (pending.TryPop(out Assembly? assembly))
        {
            if (!seen.Add(assembly) || IsOnWorker(assembly)) continue;
            CodeAssembly code = Hashed.GetOrAdd(assembly, Hash);
            found.TryAdd(code.Name, code);
            AssemblyLoadContext context = AssemblyLoadContext.GetLoadContext(assembly) ?? AssemblyLoadContext.Default;
            foreach (AssemblyName reference in assembly.GetReferencedAssemblies())
            {
                Assembly? referenced = TryLoad(context, reference);
                if (referenced is not null) pending.Push(referenced);
            }
        }
        return [.. found.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];
    }

    /// <summary>Whether every worker already has this assembly: the framework and Wren's runtime.</summary>
    public static bool IsOnWorker(Assembly assembly)
    {
        if (assembly == typeof(WrenSerializer).Assembly || WorkerDependencies.Contains(assembly.GetName().Name ?? "")) return true;
        if (assembly.IsDynamic) return false;
        if (SelfContained || string.IsNullOrEmpty(assembly.Location)) return FrameworkTypes.IsFramework(assembly);
        return Path.GetFullPath(assembly.Location).StartsWith(RuntimeDirectory, StringComparison.Ordinal);
    }

    private static Assembly? TryLoad(AssemblyLoadContext context, AssemblyName name)
    {
        try
        {
            return context.LoadFromAssemblyName(name);
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            // A reference the app never loads (an optional dependency) is not needed by the function either.
            return null;
        }
    }

    private static CodeAssembly Hash(Assembly assembly)
    {
        string name = assembly.GetName().Name ?? "";
        if (assembly.IsDynamic)
            throw new WrenException($"The function uses assembly '{name}', which was generated in memory (Reflection.Emit) and cannot be shipped; move the function into a compiled assembly.");
        if (string.IsNullOrEmpty(assembly.Location))
            throw new WrenException($"Assembly '{name}' has no file on disk (a single-file app?), so Wren cannot ship it to workers; publish the app without PublishSingleFile.");
        byte[] bytes = File.ReadAllBytes(assembly.Location);
        return new CodeAssembly(name, assembly.Location, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length);
    }
}
