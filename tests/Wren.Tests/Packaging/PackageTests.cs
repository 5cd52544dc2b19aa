using System.IO.Compression;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using Wren.Aws;
using Wren.Aws.Lambda;
using Wren.Storage;
using Wren.Tests.Support;
using Wren.TestSupport.Lambda;

namespace Wren.Tests.Packaging;

/// <summary>
/// Wren as a new user meets it: the packages from <c>dotnet pack</c>, a console app outside the clone that references
/// only <c>Wren</c>, and the <c>wren</c> tool installed from the same folder deploying to moto from outside the clone,
/// then that app running on the Lambda backend through a stand-in that starts the deployed package the way the managed
/// runtime does.
/// </summary>
[Collection(PackagingCollection.Name)]
[Trait("Category", "Slow")]
public sealed class PackageTests(PackagesFixture packages, MotoFixture moto) : IClassFixture<MotoFixture>
{
    private static readonly string[] Ids = ["Wren", "Wren.Core", "Wren.Cli"];

    [Fact]
    public void Pack_WritesThePackagesAtOneVersionWithTheirMetadata()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+$", packages.Version);
        string[] written = [.. Directory.GetFiles(packages.Feed, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Equal(Ids.Select(id => $"{id}.{packages.Version}.nupkg").Order(StringComparer.Ordinal), written);
        foreach (string id in Ids)
        {
            using ZipArchive zip = ZipFile.OpenRead(packages.Package(id));
            XElement metadata = Nuspec(zip).Elements().Single(e => e.Name.LocalName == "metadata");
            string Field(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
            Assert.Equal(id, Field("id"));
            Assert.Equal(packages.Version, Field("version"));
            Assert.Equal("MIT", Field("license"));
            Assert.Equal("README.md", Field("readme"));
            Assert.NotNull(zip.GetEntry("README.md"));
            Assert.True(Field("description").Length > 40, $"{id}'s description is too short");
            Assert.Contains("lambda", Field("tags"));
            Assert.Equal("git", metadata.Elements().Single(e => e.Name.LocalName == "repository").Attribute("type")!.Value);
            Assert.True(File.Exists(Path.ChangeExtension(packages.Package(id), ".snupkg")), $"{id} has no symbols package");
        }
    }

    [Fact]
    public void WrenPackage_CarriesTheWorkerAndDependsOnCoreAtTheSameVersion()
    {
        using ZipArchive zip = ZipFile.OpenRead(packages.Package("Wren"));
        string[] names = [.. zip.Entries.Select(e => e.FullName)];
        Assert.Contains("lib/net10.0/Wren.dll", names);
        Assert.Contains("buildTransitive/Wren.targets", names);
        foreach (string file in new[] { "Wren.LambdaRuntime.dll", "Wren.LambdaRuntime.runtimeconfig.json", "Wren.LambdaRuntime.deps.json", "Wren.Core.dll", "AWSSDK.S3.dll" })
            Assert.Contains($"wren-worker/{file}", names);
        Assert.DoesNotContain(names, n => n.StartsWith("lib/", StringComparison.Ordinal) && n.Contains("LambdaRuntime", StringComparison.Ordinal));
        XElement core = Nuspec(zip).Descendants().Single(e => e.Name.LocalName == "dependency" && e.Attribute("id")?.Value == "Wren.Core");
        Assert.Equal(packages.Version, core.Attribute("version")!.Value);

        using ZipArchive cli = ZipFile.OpenRead(packages.Package("Wren.Cli"));
        Assert.Contains(cli.Entries, e => e.FullName.EndsWith("/wren-worker/Wren.LambdaRuntime.dll", StringComparison.Ordinal));
        Assert.Contains(cli.Entries, e => e.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
    }

    [Fact]
    public void Client_DoesNotReferenceTheWorker()
    {
        string[] references = [.. typeof(WrenExecutor).Assembly.GetReferencedAssemblies().Select(a => a.Name!)];
        Assert.Contains("Wren.Core", references);
        Assert.DoesNotContain("Wren.LambdaRuntime", references);
    }

    [Fact]
    public void ConsoleApp_ReferencingOnlyWren_RunsAMapOnLocalWorkers()
    {
        string app = NewApp("local");
        // A new user: no config file, nothing set.
        var nothingConfigured = new Dictionary<string, string> { ["WREN_CONFIG"] = Path.Combine(packages.Root, "no-config.json"), ["WREN_STORAGE_PATH"] = Path.Combine(packages.Root, "local-storage") };
        Command run = packages.Run(app, nothingConfigured, "dotnet", "run");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("sum=328850 first=5 last=9806 backend=Local", run.Out);
        Assert.True(File.Exists(Path.Combine(app, "bin", "Debug", "net10.0", "wren-worker", "Wren.LambdaRuntime.dll")));
        Assert.False(File.Exists(Path.Combine(app, "bin", "Debug", "net10.0", "Wren.LambdaRuntime.runtimeconfig.json")));
    }

    [RequiresToolFact("moto_server")]
    public async Task Tool_DeploysFromOutsideTheClone_AndTheAppRunsOnTheDeployedPackage()
    {
        moto.Require();
        string tools = Path.Combine(packages.Root, "tools");
        Command install = packages.Run(packages.Root, "dotnet", "tool", "install", "Wren.Cli", "--version", packages.Version, "--tool-path", tools, "--add-source", packages.Feed);
        Assert.True(install.ExitCode == 0, install.ToString());
        string wren = Path.Combine(tools, "wren");

        string work = Path.Combine(packages.Root, "work");
        Directory.CreateDirectory(work);
        string config = Path.Combine(work, "config.json");
        string bucket = $"wren-{Guid.NewGuid():N}"[..24];
        using (IAmazonS3 s3 = S3Storage.CreateClient(MotoServer.Region, environment: moto.Environment()))
            await s3.PutBucketAsync(bucket);
        Dictionary<string, string> aws = moto.Variables(config);
        foreach (string[] line in new[]
        {
            new[] { "create-config", "--bucket", bucket, "--memory", "512", "--timeout", "60" },
            ["create-role"],
            ["deploy-lambda"],
            ["deploy-lambda", "--arch", "arm64"],
        })
        {
            Command command = packages.Run(work, aws, wren, line);
            Assert.True(command.ExitCode == 0, command.ToString());
        }

        using var lambda = new LambdaClient(AwsContext.FromEnvironment(environment: moto.Environment()));
        FunctionConfiguration function = (await lambda.GetFunctionConfigurationAsync("wren-runtime"))!;
        Assert.Equal("dotnet10", function.Runtime);
        Assert.Equal("Wren.LambdaRuntime", function.Handler);
        Assert.Equal(["arm64"], function.Architectures!);
        Assert.InRange(function.CodeSize ?? 0, 1, 5 * 1024 * 1024);

        // The deployed package, from the bucket, run by the stand-in as the managed runtime runs it.
        string deployed = Path.Combine(work, "deployed.zip");
        using (IAmazonS3 s3 = S3Storage.CreateClient(MotoServer.Region, environment: moto.Environment()))
        {
            ListObjectsV2Response listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "wren/runtime/wren-worker-" });
            S3Object package = Assert.Single(listed.S3Objects);
            Assert.Equal(function.CodeSize, package.Size);
            using GetObjectResponse response = await s3.GetObjectAsync(bucket, package.Key);
            await response.WriteResponseStreamToFileAsync(deployed, append: false, CancellationToken.None);
        }
        var sandbox = new Dictionary<string, string>(moto.Variables()) { ["AWS_LAMBDA_FUNCTION_NAME"] = "wren-runtime" };
        await using var standIn = new FakeLambdaService(deployed, moto.Endpoint, sandbox);

        string app = NewApp("lambda");
        var appEnvironment = new Dictionary<string, string>(aws) { ["AWS_ENDPOINT_URL_LAMBDA"] = standIn.Endpoint };
        Command run = packages.Run(app, appEnvironment, "dotnet", "run");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("sum=328850 first=5 last=9806 backend=Lambda", run.Out);
        Assert.True(standIn.Invocations > 0);
    }

    /// <summary>A new console app outside the clone whose only package is Wren, from the packed folder.</summary>
    private string NewApp(string name)
    {
        string app = Path.Combine(packages.Root, $"app-{name}");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <RestoreAdditionalProjectSources>{packages.Feed}</RestoreAdditionalProjectSources>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Wren" Version="{packages.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Wren;

            await using var executor = WrenExecutor.Create();
            int offset = 5;
            FutureList<int> futures = executor.Map((int x) => x * x + offset, Enumerable.Range(0, 100));
            int[] results = await futures;
            Console.WriteLine($"sum={results.Sum()} first={results[0]} last={results[^1]} backend={executor.Backend}");
            """);
        return app;
    }

    private static XElement Nuspec(ZipArchive zip)
    {
        ZipArchiveEntry entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/'));
        using Stream stream = entry.Open();
        return XDocument.Load(stream).Root!;
    }
}
