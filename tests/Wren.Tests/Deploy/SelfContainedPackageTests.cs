using System.IO.Compression;
using Wren.Deploy.Deployment;

namespace Wren.Tests.Deploy;

/// <summary>
/// The <c>provided.al2023</c> package, built for real from this checkout: a self-contained ReadyToRun publish of the
/// worker for linux-arm64, with its executable as <c>bootstrap</c>. The publish runs with the build's own analyzers
/// and the Release build's own ahead-of-time step, so a setting of either that breaks it shows here.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SelfContainedPackageTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "wren-tests", $"self-contained-{Guid.NewGuid():N}");

    public SelfContainedPackageTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Arm64Package_HoldsAnExecutableBootstrapAndTheWorker()
    {
        using var log = new StringWriter();
        RuntimePackage package = await RuntimePackage.BuildSelfContainedAsync(Path.Combine(_folder, "runtime.zip"), "arm64", log, CancellationToken.None);

        Assert.Contains("linux-arm64", log.ToString());
        using ZipArchive zip = ZipFile.OpenRead(package.ZipPath);
        ZipArchiveEntry bootstrap = zip.GetEntry("bootstrap") ?? throw new Xunit.Sdk.XunitException($"no bootstrap in {string.Join(", ", zip.Entries.Select(e => e.FullName))}");
        // rwxr-xr-x, as Lambda runs it.
        Assert.Equal(0x1ED, (bootstrap.ExternalAttributes >> 16) & 0x1FF);
        using (Stream stream = bootstrap.Open())
        {
            byte[] head = new byte[20];
            stream.ReadExactly(head);
            // An ELF executable for AArch64 (machine 183).
            Assert.Equal("\x7f" + "ELF", System.Text.Encoding.ASCII.GetString(head, 0, 4));
            Assert.Equal(183, BitConverter.ToUInt16(head, 18));
        }
        Assert.NotNull(zip.GetEntry("Wren.LambdaRuntime.dll"));
        Assert.NotNull(zip.GetEntry("Wren.Core.dll"));
        Assert.NotNull(zip.GetEntry("libcoreclr.so"));
    }
}
