using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Wren.Deploy.Deployment;

/// <summary>
/// The Batch worker bundle: the same self-contained linux-x64 publish as the Lambda package, as a tar.gz with the
/// executable <c>bootstrap</c> (mode 0755) at its root. The stock image downloads and unpacks it; a custom image
/// has it unpacked inside (see <c>wren deploy-batch --dockerfile</c>).
/// </summary>
internal sealed record WorkerBundle(string TarGzPath, string Sha256, long Size)
{
    /// <summary>What <c>wren deploy-batch --package-only</c> writes by default; the Dockerfile of <c>--dockerfile</c> ADDs this name.</summary>
    public const string FileName = "wren-worker-linux-x64.tar.gz";

    public const string Executable = "bootstrap";

    private const UnixFileMode ExecutableMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    // A fixed time in every entry: the same files make the same archive, so the same object in S3.
    private static readonly DateTimeOffset Timestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static WorkerBundle FromFile(string tarGzPath)
    {
        string path = Path.GetFullPath(tarGzPath);
        using FileStream stream = File.OpenRead(path);
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        return new WorkerBundle(path, sha256, stream.Length);
    }

    /// <summary>Archives every file under <paramref name="folder"/>, in ordinal order, with its folders before it.</summary>
    public static WorkerBundle Write(string folder, string outputTarGz)
    {
        if (!File.Exists(Path.Combine(folder, Executable))) throw new WrenException($"The runtime in {folder} has no {Executable} to bundle.");
        var entries = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            string name = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
            entries.Add(name);
            for (int slash = name.IndexOf('/'); slash >= 0; slash = name.IndexOf('/', slash + 1)) entries.Add(name[..(slash + 1)]);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputTarGz))!);
        using (FileStream output = File.Create(outputTarGz))
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false))
        {
            foreach (string name in entries)
            {
                if (name.EndsWith('/'))
                {
                    tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name) { Mode = ExecutableMode, ModificationTime = Timestamp });
                    continue;
                }
                using FileStream data = File.OpenRead(Path.Combine(folder, name));
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    Mode = name == Executable ? ExecutableMode : FileMode,
                    ModificationTime = Timestamp,
                    DataStream = data,
                });
            }
        }
        return FromFile(outputTarGz);
    }
}
