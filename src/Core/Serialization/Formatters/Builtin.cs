namespace Wren.Serialization.Formatters;

/// <summary>Formatters that others delegate to.</summary>
internal static class Builtin
{
    public static readonly BigIntegerFormatter BigInteger = new();
    public static readonly DateTimeFormatter DateTime = new();
}
