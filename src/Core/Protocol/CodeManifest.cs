using System.Security.Cryptography;

namespace Wren.Protocol;

/// <summary>
/// The user's assemblies as an invocation names them: the list of their files (<see cref="CodeFile"/>) in MessagePack,
/// and its key, the SHA-256 of those bytes. A worker that has loaded the set knows it by the key and never reads the
/// list, which is most of a single call's request (an app's dozens of assembly names and hashes); a worker that has
/// not reads the list after checking it against the key. A client makes one per code set and sends its bytes as they
/// are.
/// </summary>
internal sealed record CodeManifest(string Key, byte[] List)
{
    public static CodeManifest Of(IEnumerable<CodeFile> files)
    {
        byte[] list = WrenProtocol.Serialize(files.ToArray());
        return new CodeManifest(KeyOf(list), list);
    }

    /// <summary>The files <paramref name="list"/> names, once its bytes are known to be the ones <paramref name="key"/> names.</summary>
    public static CodeFile[] Read(string key, byte[] list)
    {
        string actual = KeyOf(list);
        if (actual != key)
            throw new WrenException($"The invocation's code list hashes to {actual}, not to its key {key}: the request was damaged on its way, or made by a client that is not Wren's.");
        return WrenProtocol.Deserialize<CodeFile[]>(list);
    }

    private static string KeyOf(byte[] list) => Convert.ToHexStringLower(SHA256.HashData(list));
}
