namespace Wren.Serialization;

/// <summary>
/// Adds the member, index or key being handled to a failure's path. Called from exception filters, which run before
/// the stack unwinds and always return false: the exception passes through every level once, so even a failure
/// a thousand levels deep costs no stack to report.
/// </summary>
internal static class ErrorPath
{
    private const string DataKey = "Wren.MemberPath";

    public static bool Member(Exception exception, string name) => Add(exception, name);

    public static bool Index(Exception exception, long index) => Add(exception, $"[{index}]");

    public static bool Key(Exception exception, object? key) => Add(exception, key switch
    {
        string s => $"[\"{s}\"]",
        null => "[null]",
        _ when key.GetType().IsPrimitive || key is decimal or Guid or Enum => $"[{key}]",
        _ => "[key]",
    });

    private static bool Add(Exception exception, string segment)
    {
        if (exception is WrenSerializationException wren)
        {
            wren.PrependSegment(segment);
        }
        else
        {
            if (exception.Data[DataKey] is not List<string> segments) exception.Data[DataKey] = segments = [];
            segments.Add(segment);
        }
        return false;
    }

    /// <summary>The segments gathered on an exception that is not Wren's own, innermost first.</summary>
    public static IReadOnlyList<string> Of(Exception exception) => exception.Data[DataKey] as List<string> ?? [];
}
