using Wren.Deploy.Deployment;

namespace Wren.Tests.Backends.Lambda;

/// <summary>
/// The real default deployment package: the framework-dependent worker beside the tests (wren-worker/, as the wren tool
/// carries it), zipped once per test run, on first use, for every test that needs it, and deleted when the run ends.
/// </summary>
internal static class WorkerPackage
{
    private static readonly Lazy<RuntimePackage> Zipped = new(() =>
    {
        string zip = Path.Combine(Path.GetTempPath(), "wren-tests", $"wren-worker-{Guid.NewGuid():N}.zip");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(zip);
        return RuntimePackage.Managed(zip);
    });

    public static RuntimePackage Package => Zipped.Value;

    public static string ZipPath => Zipped.Value.ZipPath;
}
