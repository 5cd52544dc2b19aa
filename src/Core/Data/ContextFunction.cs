namespace Wren.Data;

/// <summary>
/// A function that takes a <see cref="CallContext"/> as a plain <c>Func&lt;TIn, TOut&gt;</c>: the shipped delegate is
/// <see cref="Invoke"/> on this object, which holds the user's function (itself shipped as a delegate) and passes it the
/// running call's context.
/// </summary>
internal sealed class ContextFunction<TIn, TOut>(Func<TIn, CallContext, TOut> function) : IContextFunction
{
    private readonly Func<TIn, CallContext, TOut> _function = function;

    public Delegate Inner => _function;

    public TOut Invoke(TIn input) => _function(input, CallContext.Require());
}

/// <summary>What <see cref="ContextFunction{TIn, TOut}"/> wraps, for the client that ships it.</summary>
internal interface IContextFunction
{
    Delegate Inner { get; }
}
