using System.Reflection;

namespace Wren.Serialization;

/// <summary>Settings for <see cref="WrenSerializer"/>; immutable, so one instance can be shared.</summary>
public sealed class WrenSerializerOptions
{
    /// <summary>The options used when none are given.</summary>
    public static WrenSerializerOptions Default { get; } = new();

    /// <summary>
    /// Assemblies whose types may be named by the data (for values declared as <c>object</c>, an interface or a base class).
    /// Framework types on Wren's allow-list and the non-framework assemblies of the type being read are always allowed.
    /// Default: none.
    /// </summary>
    public IReadOnlyCollection<Assembly> AllowedAssemblies { get; init; } = [];

    /// <summary>How deeply values may nest (objects, collections) before reading or writing fails. Default: 1,000.</summary>
    public int MaxDepth { get; init; } = 1000;

    /// <summary>
    /// Whether arrays and lists of unmanaged values (<c>double[]</c>, <c>int[]</c>, unmanaged structs) are written as one raw
    /// little-endian block (Wren's extension 89) instead of a standard MessagePack array. Default: false, so any
    /// MessagePack library reads the output; set true only where Wren alone reads it. Wren reads both forms either way.
    /// </summary>
    public bool RawBlocks { get; init; }

    /// <summary>
    /// Whether delegates travel, as a reference to their method plus their target object (a closure). Wren turns this on
    /// to ship functions; the method must exist on the reading side, so only trusted data should be read with it.
    /// </summary>
    internal bool Delegates { get; init; }

    /// <summary>Told of every type the writer names in the data (the executor ships those types' assemblies).</summary>
    internal Action<Type>? NamedTypeObserver { get; init; }

    /// <summary>Returns a copy with more allowed assemblies.</summary>
    public WrenSerializerOptions WithAllowedAssemblies(params IEnumerable<Assembly> assemblies) =>
        new() { AllowedAssemblies = [.. AllowedAssemblies.Concat(assemblies).Distinct()], MaxDepth = MaxDepth, RawBlocks = RawBlocks, Delegates = Delegates };

    /// <summary>Set once these options were found valid: options do not change, and every call of a Map checks them.</summary>
    private volatile bool _valid;

    internal void Validate()
    {
        // The check that is made at every call stays small enough to be inlined; the work is done once.
        if (!_valid) Check();
    }

    private void Check()
    {
        var problems = new List<string>();
        if (MaxDepth < 1) problems.Add($"MaxDepth is {MaxDepth}; it must be at least 1");
        if (AllowedAssemblies is null) problems.Add("AllowedAssemblies is null; use an empty collection");
        else if (AllowedAssemblies.Any(a => a is null)) problems.Add("AllowedAssemblies contains null");
        if (problems.Count > 0)
            throw new ArgumentException($"Invalid WrenSerializerOptions: {string.Join("; ", problems)}.");
        _valid = true;
    }
}
