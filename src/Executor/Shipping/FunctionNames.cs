using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;

namespace Wren.Shipping;

/// <summary>
/// A job's readable name: where its function is written, <c>Program.cs:12</c>, from the portable PDB beside the
/// assembly (or embedded in it); without one, the declaring type and method with the compiler's names unwrapped
/// (<c>Program.Main lambda</c>).
/// </summary>
internal static class FunctionNames
{
    private static readonly ConcurrentDictionary<MethodInfo, string> Names = new();

    public static string Of(MethodInfo method) => Names.GetOrAdd(method, static m => FromPdb(m) ?? FromMetadata(m));

    private static string? FromPdb(MethodInfo method)
    {
        // An async lambda's code, and so its lines, are in its state machine's MoveNext.
        MethodBase body = method.GetCustomAttribute<StateMachineAttribute>()?.StateMachineType
            .GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic) ?? (MethodBase)method;
        string location = body.Module.Assembly.Location;
        if (string.IsNullOrEmpty(location) || !File.Exists(location)) return null;
        try
        {
            using FileStream assembly = File.OpenRead(location);
            using var pe = new PEReader(assembly);
            MetadataReaderProvider? provider = null;
            try
            {
                if (!pe.TryOpenAssociatedPortablePdb(location, path => File.Exists(path) ? File.OpenRead(path) : null, out provider, out _) || provider is null) return null;
                MetadataReader pdb = provider.GetMetadataReader();
                var handle = (MethodDefinitionHandle)MetadataTokens.Handle(body.MetadataToken);
                foreach (SequencePoint point in pdb.GetMethodDebugInformation(handle).GetSequencePoints())
                {
                    if (point.IsHidden || point.Document.IsNil) continue;
                    string document = pdb.GetString(pdb.GetDocument(point.Document).Name);
                    return $"{Path.GetFileName(document.Replace('\\', '/'))}:{point.StartLine}";
                }
                return null;
            }
            finally
            {
                provider?.Dispose();
            }
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or InvalidOperationException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary><c>Type.Method</c>, with a lambda's generated names traced back to the method that holds it.</summary>
    private static string FromMetadata(MethodInfo method)
    {
        Type? type = method.DeclaringType;
        while (type is { DeclaringType: not null } && type.Name.StartsWith('<')) type = type.DeclaringType;
        string name = method.Name;
        // <Main>b__0_0 is a lambda in Main; <<Main>$>b__0_2 one in top-level statements.
        if (name.StartsWith('<') && name.IndexOf('>') is var end and > 1)
            name = $"{name[1..end].Trim('<', '>').Replace("$", "")} lambda";
        return $"{type?.Name ?? "?"}.{name}";
    }
}
