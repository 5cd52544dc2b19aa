using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Wren.Backends.Local;

namespace Wren.Tests.Backends.Local;

/// <summary>
/// The real worker process against a Runtime API written here byte by byte, as servers other than Wren's may answer:
/// the invocation comes chunked, and the server drops the kept-alive connection after it without saying so. And as the
/// local backend's worker (<see cref="Wren.Protocol.WorkerLaunch.LocalRuntimeVariable"/>), it sends its next request right
/// behind its answer.
/// </summary>
[Trait("Category", "Slow")]
public sealed class RuntimeApiClientTests
{
    [Fact]
    public async Task Worker_ReadsAChunkedInvocation_AndAnswersOnANewConnectionWhenTheOldOneWasDropped()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        string endpoint = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        using WorkerProcess worker = WorkerProcess.Start("chunked-test", endpoint, 256, TimeProvider.System);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        // The first connection: the next invocation, not a Wren envelope, in two chunks; then the connection is gone.
        using (TcpClient first = await listener.AcceptTcpClientAsync(timeout.Token))
        {
            NetworkStream stream = first.GetStream();
            string request = await ReadHeadAsync(stream, timeout.Token);
            Assert.StartsWith("GET /2018-06-01/runtime/invocation/next HTTP/1.1", request);
            Assert.Contains("Wren-Worker: chunked-test", request);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: req-1\r\nLambda-Runtime-Deadline-Ms: 9999999999999\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "8;note=first\r\n{\"hello\"\r\n9\r\n:\"world\"}\r\n0\r\n\r\n"), timeout.Token);
        }

        // The worker reports that the invocation is not Wren's, which it must send again on a new connection.
        using TcpClient second = await listener.AcceptTcpClientAsync(timeout.Token);
        NetworkStream again = second.GetStream();
        string head = await ReadHeadAsync(again, timeout.Token);
        Assert.StartsWith("POST /2018-06-01/runtime/invocation/req-1/error HTTP/1.1", head);
        Assert.Contains("Lambda-Runtime-Function-Error-Type: Wren.InvalidRequest", head);
        int length = int.Parse(head.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))["Content-Length:".Length..].Trim());
        byte[] body = new byte[length];
        await again.ReadExactlyAsync(body, timeout.Token);
        using JsonDocument error = JsonDocument.Parse(body);
        Assert.Equal("Wren.InvalidRequest", error.RootElement.GetProperty("errorType").GetString());
        Assert.Contains("not a Wren envelope", error.RootElement.GetProperty("errorMessage").GetString());
        await again.WriteAsync("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), timeout.Token);

        // Then it asks for the next invocation on the same, new connection.
        Assert.StartsWith("GET /2018-06-01/runtime/invocation/next HTTP/1.1", await ReadHeadAsync(again, timeout.Token));
        worker.Kill();
    }

    [Fact]
    public async Task LocalWorker_AsksForItsNextInvocationWithoutWaitingForItsAnswersAcknowledgement()
    {
        using RealInvocation real = await RealInvocation.CreateAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using WorkerProcess worker = WorkerProcess.Start("pipelined-test", $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}", 256, TimeProvider.System);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using TcpClient client = await listener.AcceptTcpClientAsync(timeout.Token);
        NetworkStream stream = client.GetStream();

        Assert.StartsWith("GET /2018-06-01/runtime/invocation/next HTTP/1.1", await ReadHeadAsync(stream, timeout.Token));
        foreach ((string requestId, int input) in new[] { ("req-1", 2), ("req-2", 5) })
        {
            (string answer, byte[] body) = await InvokeAsync(stream, requestId, real.Request([input]), timeout.Token);
            Assert.StartsWith($"POST /2018-06-01/runtime/invocation/{requestId}/response HTTP/1.1", answer);
            Assert.Contains($"{Wren.Protocol.WorkerLaunch.NextFollowsHeader}: 1", answer);
            Assert.Equal([input * 3], RealInvocation.Outputs(body));

            // Not acknowledged yet: the next request comes all the same; the acknowledgement is read before its answer.
            Assert.StartsWith("GET /2018-06-01/runtime/invocation/next HTTP/1.1", await ReadHeadAsync(stream, timeout.Token));
            await stream.WriteAsync("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), timeout.Token);
        }
        worker.Kill();
    }

    /// <summary>As against Lambda's Runtime API: the worker waits for its answer's acknowledgement before it asks again.</summary>
    [Fact]
    public async Task Worker_AgainstAnotherRuntimeApi_WaitsForItsAnswersAcknowledgement()
    {
        using RealInvocation real = await RealInvocation.CreateAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using WorkerProcess worker = WorkerProcess.Start("lambda-like-test", $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}", 256, TimeProvider.System, localRuntime: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using TcpClient client = await listener.AcceptTcpClientAsync(timeout.Token);
        NetworkStream stream = client.GetStream();

        Assert.StartsWith("GET /2018-06-01/runtime/invocation/next HTTP/1.1", await ReadHeadAsync(stream, timeout.Token));
        (string answer, byte[] body) = await InvokeAsync(stream, "req-1", real.Request([4]), timeout.Token);
        Assert.StartsWith("POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1", answer);
        Assert.DoesNotContain(Wren.Protocol.WorkerLaunch.NextFollowsHeader, answer);
        Assert.Equal([12], RealInvocation.Outputs(body));

        // Nothing more until the answer is acknowledged.
        await Task.Delay(500);
        Assert.False(stream.DataAvailable);
        await stream.WriteAsync("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), timeout.Token);
        Assert.StartsWith("GET /2018-06-01/runtime/invocation/next HTTP/1.1", await ReadHeadAsync(stream, timeout.Token));
        worker.Kill();
    }

    /// <summary>Hands the worker <paramref name="request"/> as invocation <paramref name="requestId"/>; returns the head and body of the request the worker answers with.</summary>
    private static async Task<(string Head, byte[] Body)> InvokeAsync(NetworkStream stream, string requestId, Wren.Protocol.InvocationRequest request, CancellationToken cancellationToken)
    {
        byte[] envelope = Wren.Protocol.WrenProtocol.WrapBinary(request);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: {requestId}\r\nLambda-Runtime-Deadline-Ms: 9999999999999\r\nContent-Length: {envelope.Length}\r\n\r\n"), cancellationToken);
        await stream.WriteAsync(envelope, cancellationToken);
        string head = await ReadHeadAsync(stream, cancellationToken);
        byte[] body = new byte[int.Parse(head.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))["Content-Length:".Length..].Trim())];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return (head, body);
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        byte[] one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0) throw new IOException($"The worker closed the connection after: {Encoding.ASCII.GetString([.. head])}");
            head.Add(one[0]);
        }
        return Encoding.ASCII.GetString([.. head]);
    }
}
