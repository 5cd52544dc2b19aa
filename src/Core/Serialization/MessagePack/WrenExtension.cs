namespace Wren.Serialization.MessagePack;

/// <summary>Wren's MessagePack extension type codes (the specification leaves 0..127 to applications; 87..89, "W" onwards, keep clear of the small codes other formats pick).</summary>
internal static class WrenExtension
{
    /// <summary>
    /// A type name, first element of a two-element array whose second element is the value. Payload: 0 then the UTF-8
    /// name (defines the next table index), or 1 then a big-endian index of a name defined earlier in the same stream.
    /// </summary>
    public const sbyte TypeName = 87;

    /// <summary>A reference to an object written earlier in the stream; payload: its big-endian index.</summary>
    public const sbyte BackReference = 88;

    /// <summary>An array of unmanaged values; payload: one element-kind byte, then the elements' bytes, little-endian.</summary>
    public const sbyte RawBlock = 89;
}
