using Wren.Backends;
using Wren.Protocol;
using Wren.Storage;

namespace Wren.Tests.Jobs;

/// <summary>
/// A backend whose invocations follow a script, for testing the scheduler alone: each invocation's request is kept, and
/// the script answers it (results, failures, calls not run), loses it, rejects it, or holds it until told. Storage is a
/// real folder.
/// </summary>
internal sealed class ScriptedBackend(Func<InvocationRequest, InvocationSettings, CancellationToken, Task<InvocationOutcome>> script) : IComputeBackend
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wren-tests", $"scripted-{Guid.NewGuid():N}");
    private readonly List<(InvocationRequest Request, InvocationSettings Settings)> _invocations = [];

    public string Name => "scripted";

    public IObjectStorage Storage => _storage ??= new FileStorage(_root);

    private FileStorage? _storage;

    public StorageLocation Location => StorageLocation.ForFolder(_root) with { Prefix = "wren" };

    public int DefaultConcurrency => 4;

    public int MaxInlineBytes => 1024 * 1024;

    public bool ResultsThroughStorage => false;

    public bool StoresCallLogs => false;

    /// <summary>Every invocation made so far, in order.</summary>
    public IReadOnlyList<(InvocationRequest Request, InvocationSettings Settings)> Invocations
    {
        get
        {
            lock (_invocations) return [.. _invocations];
        }
    }

    public Task<InvocationOutcome> InvokeAsync(byte[] envelope, InvocationSettings settings, Action onRunning, CancellationToken cancellationToken)
    {
        InvocationRequest request = WrenProtocol.Unwrap<InvocationRequest>(envelope).Message!;
        lock (_invocations) _invocations.Add((request, settings));
        onRunning();
        return script(request, settings, cancellationToken);
    }

    /// <summary>An answer to <paramref name="request"/> with each call's result as <paramref name="result"/> gives it (null: not run).</summary>
    public static InvocationOutcome Answer(InvocationRequest request, Func<int, int, CallResult?> result) =>
        new InvocationOutcome.Answered(WrenProtocol.Wrap(InvocationResponse.Of("scripted",
            [.. request.CallIds.Select((callId, i) => result(callId, request.Attempts?[i] ?? 1)).OfType<CallResult>()])));

    /// <summary>A call that returned <paramref name="value"/>, having run for <paramref name="duration"/>.</summary>
    public static CallResult Returned(int callId, int value, TimeSpan? duration = null) => new()
    {
        CallId = callId,
        Outcome = CallOutcome.Succeeded,
        Output = Wren.Serialization.WrenSerializer.Serialize(value),
        Stats = new CallStats { Started = DateTime.UnixEpoch, Ended = DateTime.UnixEpoch + (duration ?? TimeSpan.FromSeconds(1)) },
    };

    /// <summary>A call that threw <paramref name="type"/> with <paramref name="message"/>.</summary>
    public static CallResult Threw(int callId, string type, string message) => new()
    {
        CallId = callId,
        Outcome = CallOutcome.Failed,
        Error = new RemoteError(type, message, null, null),
        Stats = new CallStats { Started = DateTime.UnixEpoch, Ended = DateTime.UnixEpoch + TimeSpan.FromSeconds(1) },
    };

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }
}
