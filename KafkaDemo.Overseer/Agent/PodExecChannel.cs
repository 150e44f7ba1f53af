using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using k8s;
using k8s.Models;
using KafkaDemo.Overseer.KubernetesApi;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Agent;

/// <summary>
/// Runs commands in the agent pod through KubernetesClient's pod exec (a WebSocket to the API
/// server; no kubectl on the host). The command is an argument array, so nothing in it can reach
/// a shell. Standard input is not opened, so a program that asks a question (vibectl's
/// confirmation prompt) reads end-of-file at once instead of waiting for the round's timeout.
/// The exit code comes from exec's status channel.
/// </summary>
public sealed class PodExecChannel(ClusterConnection cluster, IOptions<AgentOptions> options, TimeProvider time) : IAgentChannel
{
    private readonly AgentOptions _options = options.Value;

    public async Task<AgentCommandResult> RunAsync(AgentPod pod, IReadOnlyList<string> command, Action<AgentOutputLine>? onLine, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(command);
        var current = cluster.Current ?? throw new AgentUnavailableException("No cluster is configured (Overseer:Cluster:Kubeconfig or Overseer:Cluster:InCluster).");
        var client = current.Client;

        // A recreated cluster (a new kubeconfig) ends the command too: the old one is gone.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, current.Replaced);
        deadline.CancelAfter(timeout);
        try
        {
            // Not MuxedStreamNamespacedPodExecAsync: in KubernetesClient 21.0.8 it passes only tty on
            // to WebSocketNamespacedPodExecAsync, whose stdin parameter defaults to true, so it always
            // asks for stdin=1 whatever its own stdin argument says (src/KubernetesClient/
            // Kubernetes.WebSocket.cs, MuxedStreamNamespacedPodExecAsync). With stdin open and silent,
            // vibectl's click.prompt would wait for ever (vibectl-0.11.6.md §7). The subprotocol is
            // named: through IKubernetes its default is null (IKubernetes.WebSocket.cs), and without
            // v4 the exit code does not come as a status on channel 3.
            var socket = await client.WebSocketNamespacedPodExecAsync(
                pod.Name, _options.Namespace, command, _options.Container,
                stderr: true, stdin: false, stdout: true, tty: false,
                webSocketSubProtocol: WebSocketProtocol.V4BinaryWebsocketProtocol, cancellationToken: deadline.Token);

            // StreamDemuxer's streams only read synchronously and ignore cancellation (MuxedStream.Read,
            // ByteBuffer.Read waits on an event); aborting the socket ends its read loop, which ends
            // every stream (StreamDemuxer.RunLoop's finally).
            using var abort = deadline.Token.Register(socket.Abort);
            using var demuxer = new StreamDemuxer(socket, StreamType.RemoteCommand, ownsSocket: true);
            using var stdout = demuxer.GetStream(ChannelIndex.StdOut, null);
            using var stderr = demuxer.GetStream(ChannelIndex.StdErr, null);
            using var status = demuxer.GetStream(ChannelIndex.Error, null);
            demuxer.Start();
            var output = ReadLinesAsync(stdout, AgentOutputSource.Stdout, onLine);
            var error = ReadLinesAsync(stderr, AgentOutputSource.Stderr, onLine);
            using var statusReader = new StreamReader(status);
            var statusText = await statusReader.ReadToEndAsync(CancellationToken.None);
            var (outText, errText) = (await output, await error);
            cancellationToken.ThrowIfCancellationRequested();
            if (deadline.IsCancellationRequested)
            {
                throw current.Replaced.IsCancellationRequested ? Replaced(pod) : Timeout(command, pod, timeout);
            }

            return new AgentCommandResult(ExitCode(statusText, pod), outText, errText, pod);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Our deadline, a new kubeconfig, or the client's own request timeout while connecting.
            throw current.Replaced.IsCancellationRequested ? Replaced(pod)
                : deadline.IsCancellationRequested ? Timeout(command, pod, timeout)
                : new AgentUnavailableException($"Connecting to pod {pod.Name} timed out.");
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or TimeoutException or AgentUnavailableException))
        {
            // A refused upgrade (HTTP 404 for a pod that is gone), a dropped connection, a garbled status.
            throw new AgentUnavailableException($"Running '{command[0]}' in pod {pod.Name} failed: {ex.Message}", ex);
        }
    }

    public async Task<AgentPod> FindPodAsync(CancellationToken cancellationToken)
    {
        var client = Client();
        V1PodList pods;
        try
        {
            pods = await client.CoreV1.ListNamespacedPodAsync(_options.Namespace, labelSelector: _options.PodSelector, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // An error status, a refused or dropped connection, a client timeout (OperationCanceled
            // while ours is live), an answer that is not a pod list (JsonException): all transient.
            throw new AgentUnavailableException($"Listing the agent's pods in {_options.Namespace} failed: {ex.Message}", ex);
        }

        var pod = pods.Items
            .Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Phase == "Running"
                && p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
            .OrderByDescending(p => p.Metadata.CreationTimestamp)
            .FirstOrDefault();
        return pod is null
            ? throw new AgentUnavailableException($"No running agent pod ({_options.PodSelector}) in {_options.Namespace}.")
            : new AgentPod(pod.Metadata.Name, pod.Metadata.Uid ?? pod.Metadata.Name);
    }

    private IKubernetes Client() =>
        cluster.Client ?? throw new AgentUnavailableException("No cluster is configured (Overseer:Cluster:Kubeconfig or Overseer:Cluster:InCluster).");

    private static AgentUnavailableException Replaced(AgentPod pod) =>
        new($"The cluster was replaced (its kubeconfig changed) while a command ran in pod {pod.Name}.");

    private static TimeoutException Timeout(IReadOnlyList<string> command, AgentPod pod, TimeSpan timeout) =>
        new(string.Create(CultureInfo.InvariantCulture, $"'{string.Join(' ', command.Take(3))}' in pod {pod.Name} did not finish within {timeout.TotalSeconds:F0} s."));

    private async Task<string> ReadLinesAsync(Stream stream, AgentOutputSource name, Action<AgentOutputLine>? onLine)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var all = new StringBuilder();
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            if (all.Length < AgentCommandResult.MaxChars)
            {
                all.Append(line).Append('\n');
            }

            onLine?.Invoke(new AgentOutputLine(time.GetUtcNow(), line, name));
        }

        return all.Length <= AgentCommandResult.MaxChars ? all.ToString() : all.ToString(0, AgentCommandResult.MaxChars);
    }

    /// <summary>0 for Success; the ExitCode cause of a NonZeroExitCode failure; otherwise the failure is thrown.</summary>
    private static int ExitCode(string statusText, AgentPod pod)
    {
        if (string.IsNullOrWhiteSpace(statusText))
        {
            throw new AgentUnavailableException($"The exec in pod {pod.Name} ended without a status (the connection was lost).");
        }

        var status = KubernetesJson.Deserialize<V1Status>(statusText);
        if (status.Status == "Success")
        {
            return 0;
        }

        var code = status.Details?.Causes?.FirstOrDefault(c => c.Reason == "ExitCode")?.Message;
        return status.Reason == "NonZeroExitCode" && int.TryParse(code, CultureInfo.InvariantCulture, out var exit)
            ? exit
            : throw new AgentUnavailableException($"The exec in pod {pod.Name} failed: {status.Message}");
    }
}
