namespace Wren.Tests.Support;

/// <summary>The repository's folders, found from where the tests run.</summary>
public static class Repository
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Wren.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} holds Wren.sln; run the tests from the repository");
    });

    /// <summary>The folder that holds Wren.sln.</summary>
    public static string Root => RootPath.Value;

    /// <summary>tests/interop: the npm packages and scripts of the MessagePack interop tests.</summary>
    public static string InteropDirectory => Path.Combine(Root, "tests", "interop");
}
