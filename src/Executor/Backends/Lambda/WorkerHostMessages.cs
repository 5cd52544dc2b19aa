using Wren.Protocol;

namespace Wren.Backends.Lambda;

/// <summary>The words for a protocol mismatch, seen from the client (the function reports its version).</summary>
internal static class WorkerHostMessages
{
    public static string Mismatch(int deployedVersion) => deployedVersion < WrenProtocol.Version
        ? $"The deployed Wren runtime speaks protocol {deployedVersion} and this client speaks {WrenProtocol.Version}: run `wren deploy-lambda` to deploy the runtime that matches this client."
        : $"The deployed Wren runtime speaks protocol {deployedVersion} and this client speaks {WrenProtocol.Version}: update the Wren package in your app, or deploy the runtime that matches this client with its own `wren deploy-lambda`.";
}
