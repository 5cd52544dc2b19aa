using Xunit.Abstractions;

namespace Wren.Tests.Support;

/// <summary>
/// Marks a test collection that runs for minutes, mostly waiting on processes: <see cref="StartFirstOrderer"/> starts
/// it before the others, so that it does not begin last and run on alone.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StartFirstAttribute : Attribute;

/// <summary>Runs the collections marked <see cref="StartFirstAttribute"/> first, then the rest in xunit's own order.</summary>
public sealed class StartFirstOrderer : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(c => c.CollectionDefinition?.GetCustomAttributes(typeof(StartFirstAttribute)).Any() == true ? 0 : 1)
            .ThenBy(c => c.UniqueID);
}
