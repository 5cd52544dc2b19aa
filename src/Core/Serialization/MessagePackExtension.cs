namespace Wren.Serialization;

/// <summary>A MessagePack extension value of a type Wren does not interpret: its type code and its bytes.</summary>
public sealed class MessagePackExtension : IEquatable<MessagePackExtension>
{
    /// <summary>Creates an extension value.</summary>
    public MessagePackExtension(sbyte type, ReadOnlyMemory<byte> data)
    {
        Type = type;
        Data = data;
    }

    /// <summary>The extension type code (-128..127; negative codes are reserved by the specification).</summary>
    public sbyte Type { get; }

    /// <summary>The extension's payload.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Two extensions are equal when their type codes and bytes are.</summary>
    public bool Equals(MessagePackExtension? other) => other is not null && Type == other.Type && Data.Span.SequenceEqual(other.Data.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as MessagePackExtension);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, Data.Length);

    /// <inheritdoc />
    public override string ToString() => $"ext {Type}: {Convert.ToHexString(Data.Span)}";
}
