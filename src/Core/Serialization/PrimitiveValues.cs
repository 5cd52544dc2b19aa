using System.Runtime.CompilerServices;
using Wren.Serialization.MessagePack;

namespace Wren.Serialization;

/// <summary>
/// The most common inputs and results of a Map, <c>int</c>, <c>long</c>, <c>double</c>, <c>float</c> and <c>bool</c>,
/// written and read as a value of their own without the serializer's per-value state (its writer, contexts and the
/// copy out of its buffer): for a trivial call that state cost more than the call. The bytes are exactly those of
/// their formatters (<c>PrimitiveFormatters.cs</c>), which use the same encoder and reader methods.
/// </summary>
internal static class PrimitiveValues
{
    /// <summary>The most bytes one of these values takes.</summary>
    public const int MaxBytes = 9;

    /// <summary>Whether <typeparamref name="T"/> is one of them; a constant once compiled for a value type.</summary>
    public static bool Handles<T>() =>
        typeof(T) == typeof(int) || typeof(T) == typeof(long) || typeof(T) == typeof(double) || typeof(T) == typeof(float) || typeof(T) == typeof(bool);

    /// <summary>Encodes <paramref name="value"/> at <paramref name="at"/>, which has room for <see cref="MaxBytes"/>; returns its length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write<T>(ref byte at, T value)
    {
        if (typeof(T) == typeof(int)) return MessagePackEncoder.Int32(ref at, Unsafe.As<T, int>(ref value));
        if (typeof(T) == typeof(long)) return MessagePackEncoder.Int64(ref at, Unsafe.As<T, long>(ref value));
        if (typeof(T) == typeof(double)) return MessagePackEncoder.Double(ref at, Unsafe.As<T, double>(ref value));
        if (typeof(T) == typeof(float)) return MessagePackEncoder.Single(ref at, Unsafe.As<T, float>(ref value));
        if (typeof(T) == typeof(bool)) return MessagePackEncoder.Boolean(ref at, Unsafe.As<T, bool>(ref value));
        throw new InvalidOperationException($"{typeof(T)} is not one of the primitive values.");
    }

    /// <summary>Reads one value of <typeparamref name="T"/> as its formatter does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Read<T>(ref MessagePackReader reader)
    {
        if (typeof(T) == typeof(int)) return As<int, T>(reader.ReadInt32());
        if (typeof(T) == typeof(long)) return As<long, T>(reader.ReadInt64());
        if (typeof(T) == typeof(double)) return As<double, T>(reader.ReadDouble());
        if (typeof(T) == typeof(float)) return As<float, T>(reader.ReadSingle());
        if (typeof(T) == typeof(bool)) return As<bool, T>(reader.ReadBoolean());
        throw new InvalidOperationException($"{typeof(T)} is not one of the primitive values.");
    }

    /// <summary>A value read as its own type, returned as <typeparamref name="T"/>, which the caller checked is the same type.</summary>
    private static T As<TValue, T>(TValue value) => Unsafe.As<TValue, T>(ref value);
}
