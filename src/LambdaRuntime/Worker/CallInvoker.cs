using System.Buffers;
using System.Runtime.CompilerServices;
using Wren.Serialization;

namespace Wren.Worker;

/// <summary>Runs the shipped function on one serialized input and serializes its output.</summary>
internal abstract class CallInvoker
{
    /// <summary>Builds the invoker for a delegate of type <c>Func&lt;TIn, TOut&gt;</c> or <c>Func&lt;TIn, Task&lt;TOut&gt;&gt;</c>.</summary>
    public static CallInvoker For(Delegate function, WrenSerializerOptions options)
    {
        Type type = function.GetType();
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(Func<,>))
            throw new WrenException($"The shipped function is a {type}, not a Func<TIn, TOut>; the client and worker disagree about the job.");
        Type[] arguments = type.GetGenericArguments();
        Type input = arguments[0];
        Type output = arguments[1];
        Type invoker;
        if (output.IsGenericType && output.GetGenericTypeDefinition() == typeof(Task<>))
            invoker = typeof(TaskInvoker<,>).MakeGenericType(input, output.GetGenericArguments()[0]);
        else if (output.IsGenericType && output.GetGenericTypeDefinition() == typeof(ValueTask<>))
            invoker = typeof(ValueTaskInvoker<,>).MakeGenericType(input, output.GetGenericArguments()[0]);
        else
            invoker = typeof(SyncInvoker<,>).MakeGenericType(input, output);
        return (CallInvoker)Activator.CreateInstance(invoker, function, options)!;
    }

    /// <summary>Deserializes the input, runs the function and writes the output to <paramref name="output"/>.</summary>
    public abstract ValueTask InvokeAsync(ReadOnlyMemory<byte> input, IBufferWriter<byte> output);

    private sealed class SyncInvoker<TIn, TOut>(Func<TIn, TOut> function, WrenSerializerOptions options) : CallInvoker
    {
        // Optimized at its first call rather than through the JIT's tiers: it runs for every call, and being generic over
        // the user's types it is not among the ahead-of-time compiled code.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override ValueTask InvokeAsync(ReadOnlyMemory<byte> input, IBufferWriter<byte> output)
        {
            TOut result = function(Inputs.Read<TIn>(input, options));
            Outputs.Write(output, result, options);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class TaskInvoker<TIn, TOut>(Func<TIn, Task<TOut>> function, WrenSerializerOptions options) : CallInvoker
    {
        public override async ValueTask InvokeAsync(ReadOnlyMemory<byte> input, IBufferWriter<byte> output)
        {
            TOut result = await function(Inputs.Read<TIn>(input, options)).ConfigureAwait(false);
            Outputs.Write(output, result, options);
        }
    }

    private sealed class ValueTaskInvoker<TIn, TOut>(Func<TIn, ValueTask<TOut>> function, WrenSerializerOptions options) : CallInvoker
    {
        public override async ValueTask InvokeAsync(ReadOnlyMemory<byte> input, IBufferWriter<byte> output)
        {
            TOut result = await function(Inputs.Read<TIn>(input, options)).ConfigureAwait(false);
            Outputs.Write(output, result, options);
        }
    }

    private static class Inputs
    {
        public static T Read<T>(ReadOnlyMemory<byte> input, WrenSerializerOptions options)
        {
            try
            {
                return WrenSerializer.Deserialize<T>(input, options);
            }
            catch (WrenSerializationException e)
            {
                throw e.WithRoot("input");
            }
        }
    }

    private static class Outputs
    {
        public static void Write<T>(IBufferWriter<byte> output, T value, WrenSerializerOptions options)
        {
            try
            {
                WrenSerializer.Serialize(output, value, options);
            }
            catch (WrenSerializationException e)
            {
                throw e.WithRoot("result");
            }
        }
    }
}
