namespace Wren.Tests.Support;

/// <summary>
/// A fact that needs external tools: skipped with a message saying what to install when one is missing, except
/// under CI, where the test runs and fails. With <see cref="InteropPackages"/>, it also needs the npm packages of
/// tests/interop (present, or npm to install them).
/// </summary>
public sealed class RequiresToolFactAttribute : FactAttribute
{
    private readonly string[] _tools;

    public RequiresToolFactAttribute(params string[] tools)
    {
        _tools = tools;
        Skip = ExternalTool.SkipReason(_tools);
    }

    public bool InteropPackages
    {
        get;
        set
        {
            field = value;
            Skip = ExternalTool.SkipReason(_tools, value ? Support.InteropPackages.WhyUnavailable : null);
        }
    }
}

/// <summary>The theory variant of <see cref="RequiresToolFactAttribute"/>; a skipped theory does not enumerate its data.</summary>
public sealed class RequiresToolTheoryAttribute : TheoryAttribute
{
    private readonly string[] _tools;

    public RequiresToolTheoryAttribute(params string[] tools)
    {
        _tools = tools;
        Skip = ExternalTool.SkipReason(_tools);
    }

    public bool InteropPackages
    {
        get;
        set
        {
            field = value;
            Skip = ExternalTool.SkipReason(_tools, value ? Support.InteropPackages.WhyUnavailable : null);
        }
    }
}
