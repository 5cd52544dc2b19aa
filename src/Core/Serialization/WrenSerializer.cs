using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Wren.Serialization.Formatters;
using Wren.Serialization.MessagePack;

namespace Wren.Serialization;

/// <summary>
/// Wren's wire format: MessagePack, with Wren extensions for type identity, shared references and raw blocks of
/// unmanaged values. Any .NET value that can move between processes round-trips without attributes; what cannot
/// (streams, tasks, handles, delegates inside values) fails with the member path that holds it.
/// </summary>
public static class WrenSerializer
{
    [ThreadStatic] private static WriteState? _writeState;
    [ThreadStatic] private static ReadContext? _readContext;

    /// <summary>Serializes <paramref name="value"/> as its declared type <typeparamref name="T"/>.</summary>
    public static byte[] Serialize<T>(T value, WrenSerializerOptions? options = null) => Serialize(value, 0, options);

    /// <summary>Serializes <paramref name="value"/> into an array of its exact size after <paramref name="headroom"/> bytes left zero for the caller.</summary>
    internal static byte[] Serialize<T>(T value, int headroom, WrenSerializerOptions? options)
    {
        WriteState state = Write(value, options);
        try
        {
            return state.Writer.ToArray(headroom);
        }
        finally
        {
            Release(state);
        }
    }

    /// <summary>Serializes <paramref name="value"/> into <paramref name="destination"/>.</summary>
    // Optimized at its first call rather than through the JIT's tiers: it runs once per call of every Map, and being
    // generic over the user's types it is not among the ahead-of-time compiled code (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Serialize<T>(IBufferWriter<byte> destination, T value, WrenSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (PrimitiveValues.Handles<T>())
        {
            options?.Validate();
            destination.Advance(PrimitiveValues.Write(ref MemoryMarshal.GetReference(destination.GetSpan(PrimitiveValues.MaxBytes)), value));
            return;
        }
        WriteState state = Write(value, options);
        try
        {
            state.Writer.CopyTo(destination);
        }
        finally
        {
            Release(state);
        }
    }

    /// <summary>Serializes <paramref name="value"/> as the declared type <paramref name="declaredType"/>, known only at run time.</summary>
    public static byte[] Serialize(object? value, Type declaredType, WrenSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(declaredType);
        if (value is not null && !declaredType.IsInstanceOfType(value))
            throw new ArgumentException($"The value is a {value.GetType()}, not a {declaredType}.", nameof(value));
        WriteState state = Rent(options);
        try
        {
            Formatters.Formatters.ForDeclared(declaredType).WriteObject(state.Writer, value, state.Context);
            return state.Writer.ToArray();
        }
        catch (Exception e) when (e is not WrenSerializationException)
        {
            throw WrenSerializationException.From(e);
        }
        finally
        {
            Release(state);
        }
    }

    /// <summary>Reads one value of type <typeparamref name="T"/>; the bytes must hold exactly that value.</summary>
    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes, WrenSerializerOptions? options = null) => Deserialize<T>(bytes.Span, options);

    /// <summary>Reads one value of type <typeparamref name="T"/> from possibly non-contiguous bytes.</summary>
    public static T Deserialize<T>(in ReadOnlySequence<byte> bytes, WrenSerializerOptions? options = null)
    {
        if (bytes.IsSingleSegment) return Deserialize<T>(bytes.FirstSpan, options);
        byte[] copy = ArrayPool<byte>.Shared.Rent(checked((int)bytes.Length));
        try
        {
            bytes.CopyTo(copy);
            return Deserialize<T>(copy.AsSpan(0, (int)bytes.Length), options);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>Reads one value of the type <paramref name="type"/>, known only at run time.</summary>
    public static object? Deserialize(ReadOnlyMemory<byte> bytes, Type type, WrenSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ReadContext context = RentReadContext(options, type);
        var reader = new MessagePackReader(bytes.Span);
        object? value;
        try
        {
            value = Formatters.Formatters.ForDeclared(type).ReadObject(ref reader, context);
        }
        catch (Exception e) when (e is not WrenSerializationException)
        {
            throw WrenSerializationException.From(e);
        }
        EnsureEnd(ref reader);
        return value;
    }

    // Optimized at its first call rather than through the JIT's tiers: it runs once per call of every Map, and being
    // generic over the user's types it is not among the ahead-of-time compiled code (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static T Deserialize<T>(ReadOnlySpan<byte> bytes, WrenSerializerOptions? options)
    {
        var reader = new MessagePackReader(bytes);
        // The primitive values need none of the serializer's state: only the options' check.
        ReadContext? context = null;
        if (PrimitiveValues.Handles<T>()) options?.Validate();
        else context = RentReadContext(options, typeof(T));
        T value;
        try
        {
            value = PrimitiveValues.Handles<T>() ? PrimitiveValues.Read<T>(ref reader) : FormatterCache<T>.Instance.Read(ref reader, context!);
        }
        catch (Exception e) when (e is not WrenSerializationException)
        {
            throw WrenSerializationException.From(e);
        }
        EnsureEnd(ref reader);
        return value;
    }

    private static void EnsureEnd(ref MessagePackReader reader)
    {
        if (!reader.End)
            throw new WrenSerializationException($"the value ends at byte {reader.Position} but the data goes on for {reader.Remaining} more bytes; it holds more than one value or was written as another type");
    }

    // Optimized at its first call rather than through the JIT's tiers: it runs once per call of every Map, and being
    // generic over the user's types it is not among the ahead-of-time compiled code (docs/performance.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static WriteState Write<T>(T value, WrenSerializerOptions? options)
    {
        WriteState state = Rent(options);
        try
        {
            FormatterCache<T>.Instance.Write(state.Writer, value, state.Context);
            return state;
        }
        catch (Exception e)
        {
            Release(state);
            if (e is WrenSerializationException) throw;
            throw WrenSerializationException.From(e);
        }
    }

    private static WriteState Rent(WrenSerializerOptions? options)
    {
        options ??= WrenSerializerOptions.Default;
        if (!ReferenceEquals(options, WrenSerializerOptions.Default)) options.Validate();
        WriteState state = _writeState ?? new WriteState();
        _writeState = null;
        state.Context.Reset(options);
        return state;
    }

    private static void Release(WriteState state)
    {
        state.Writer.Reset();
        state.Context.Reset(WrenSerializerOptions.Default);
        _writeState = state;
    }

    private static ReadContext RentReadContext(WrenSerializerOptions? options, Type rootType)
    {
        options ??= WrenSerializerOptions.Default;
        if (!ReferenceEquals(options, WrenSerializerOptions.Default)) options.Validate();
        // Reading never re-enters itself on one thread, so one context per thread is enough.
        ReadContext context = _readContext ??= new ReadContext();
        context.Reset(options, rootType);
        return context;
    }

    private sealed class WriteState
    {
        public MessagePackWriter Writer { get; } = new();
        public WriteContext Context { get; } = new();
    }
}
