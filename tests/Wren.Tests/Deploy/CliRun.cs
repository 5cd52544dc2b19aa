using Wren.Deploy;

namespace Wren.Tests.Deploy;

/// <summary>Runs a whole <c>wren</c> command line in-process and keeps its exit code and output.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    internal static Task<CliRun> RunAsync(Func<string, string?> environment, params string[] args) => RunAsync(environment, TimeProvider.System, args);

    internal static async Task<CliRun> RunAsync(Func<string, string?> environment, TimeProvider time, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CommandContext { Environment = environment, Out = output, Error = error, Interactive = false, Time = time };
        int code = await WrenCli.RunAsync(args, context);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public override string ToString() => $"exit {ExitCode}\nstdout: {Out}\nstderr: {Error}";

    /// <summary>The system clock moved forward, for commands whose behaviour depends on age.</summary>
    public sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }
}
