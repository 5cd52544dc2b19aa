using System.Text;

namespace Wren.Serialization;

/// <summary>A value could not be written or read; <see cref="MemberPath"/> says where in the value graph.</summary>
public sealed class WrenSerializationException : WrenException
{
    // Segments are collected innermost first as the exception climbs out of nested formatters.
    private readonly List<string> _reversedPath = [];
    private string _root = "value";

    /// <summary>Creates an exception for a failure at the current position; enclosing members are added as it propagates.</summary>
    public WrenSerializationException(string reason, Exception? innerException = null)
        : base(reason, innerException)
    {
        Reason = reason;
    }

    /// <summary>What went wrong and what to do about it, without the member path.</summary>
    public string Reason { get; }

    /// <summary>Where the failure happened, from the root: for example <c>value.Items[3].Owner.Connection</c>.</summary>
    public string MemberPath
    {
        get
        {
            var path = new StringBuilder(_root);
            for (int i = _reversedPath.Count - 1; i >= 0; i--)
            {
                string segment = _reversedPath[i];
                if (segment[0] != '[') path.Append('.');
                path.Append(segment);
            }
            return path.ToString();
        }
    }

    /// <inheritdoc />
    public override string Message => $"{MemberPath}: {Reason}";

    internal void PrependSegment(string segment) => _reversedPath.Add(segment);

    /// <summary>Names the root of the path (<c>value</c> by default; the executor says <c>closure</c>).</summary>
    internal WrenSerializationException WithRoot(string root)
    {
        _root = root;
        return this;
    }

    /// <summary>Turns any exception thrown while handling a member into one that carries the path.</summary>
    internal static WrenSerializationException From(Exception exception)
    {
        if (exception is WrenSerializationException wrenException) return wrenException;
        var error = exception is InsufficientExecutionStackException
            ? new WrenSerializationException("the value nests too deeply for this thread's stack; flatten it, or run on a thread with a larger stack", exception)
            : new WrenSerializationException($"{exception.GetType().Name}: {exception.Message}", exception);
        error._reversedPath.AddRange(ErrorPath.Of(exception));
        return error;
    }
}
