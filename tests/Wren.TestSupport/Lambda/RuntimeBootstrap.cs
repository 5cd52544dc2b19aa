using System.Diagnostics;
using Wren.Backends;

namespace Wren.TestSupport.Lambda;

/// <summary>
/// How Lambda starts a function's code, by runtime. <c>provided.al2023</c> runs the package's own executable
/// <c>bootstrap</c>. The managed <c>dotnet10</c> runtime, given a handler without <c>::</c> (an executable assembly),
/// runs its own bootstrap script, which execs <c>dotnet exec</c> on <c>$LAMBDA_TASK_ROOT/&lt;handler&gt;.dll</c> with that
/// assembly's deps.json and runtimeconfig.json; a script of that shape is what runs here.
/// </summary>
internal static class RuntimeBootstrap
{
    public static ProcessStartInfo StartInfo(string runtime, string handler, string taskRoot)
    {
        switch (runtime)
        {
            case "provided.al2023":
            {
                string bootstrap = Path.Combine(taskRoot, "bootstrap");
                if (!File.Exists(bootstrap)) throw new InvalidOperationException($"Couldn't find valid bootstrap(s): [{bootstrap}]");
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(bootstrap, File.GetUnixFileMode(bootstrap) | UnixFileMode.UserExecute);
                return new ProcessStartInfo(bootstrap);
            }
            case "dotnet10":
            {
                if (handler.Contains("::", StringComparison.Ordinal))
                    throw new InvalidOperationException($"Handler '{handler}' names a class library method; this stand-in only starts executable assemblies.");
                foreach (string file in new[] { $"{handler}.dll", $"{handler}.runtimeconfig.json", $"{handler}.deps.json" })
                    if (!File.Exists(Path.Combine(taskRoot, file))) throw new InvalidOperationException($"Could not find {file} in the function's package: the handler is '{handler}'.");
                string script = Path.Combine(Path.GetDirectoryName(taskRoot)!, $"{Path.GetFileName(taskRoot)}-runtime", "bootstrap");
                Directory.CreateDirectory(Path.GetDirectoryName(script)!);
                File.WriteAllText(script, $"""
                    #!/bin/sh
                    exec "{WorkerFiles.DotnetHost()}" exec --depsfile "$LAMBDA_TASK_ROOT/{handler}.deps.json" --runtimeconfig "$LAMBDA_TASK_ROOT/{handler}.runtimeconfig.json" "$LAMBDA_TASK_ROOT/{handler}.dll"

                    """);
                var start = new ProcessStartInfo("/bin/sh");
                start.ArgumentList.Add(script);
                start.Environment["_HANDLER"] = handler;
                start.Environment["AWS_EXECUTION_ENV"] = "AWS_Lambda_dotnet10";
                return start;
            }
            default:
                throw new InvalidOperationException($"Runtime '{runtime}' is not one this stand-in starts (dotnet10, provided.al2023).");
        }
    }
}
