namespace Wren.Tests.Backends;

public sealed record Order(string Customer, List<OrderLine> Lines, Dictionary<string, string> Notes);

public sealed record OrderLine(string Item, int Quantity, decimal Price);

public sealed record OrderSummary(string Customer, int Items, decimal Total, string[] Skus);

public sealed record Box<T>(T Value);

/// <summary>A class whose method, capturing this, is shipped with its instance.</summary>
public sealed class Multiplier(int factor)
{
    public int Factor { get; } = factor;

    public FutureList<int> MultiplyAll(WrenExecutor executor, IEnumerable<int> inputs) => executor.Map((int x) => x * Factor, inputs);

    public int Apply(int x) => x * Factor;
}

/// <summary>A class holding something that cannot travel, for closures that capture it by mistake.</summary>
public sealed class Repository(Stream connection)
{
    public Stream Connection { get; } = connection;

    public int Offset { get; } = 1;

    public FutureList<int> AddOffset(WrenExecutor executor, IEnumerable<int> inputs) => executor.Map((int x) => x + Offset, inputs);
}
