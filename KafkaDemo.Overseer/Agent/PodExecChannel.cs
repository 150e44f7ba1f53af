using System.Net.WebSockets;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.Overseer.Cluster;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Agent;

/// <summary>
/// Runs commands in the agent pod through KubernetesClient's pod exec (a WebSocket to the API
/// server; no kubectl on the host). The command is an argument array, so nothing in it can reach
/// a shell; stdin is not opened. The exit code comes from exec's status channel.
/// </summary>
public sealed class PodExecChannel(ClusterConnection cluster, IOptions<AgentOptions> options, TimeProvider time) : IAgentChannel
{
    private readonly AgentOptions _options = options.Value;

    public async Task<AgentCommandResult> RunAsync(IReadOnlyList<string> command, Action<AgentOutputLine>? onLine, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var client = Client();
        var pod = await FindPodAsync(client, cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var muxed = await client.MuxedStreamNamespacedPodExecAsync(
                pod.Name, _options.Namespace, command, _options.Container,
                stderr: true, stdin: false, stdout: true, tty: false, cancellationToken: deadline.Token);
            using var stdout = muxed.GetStream(ChannelIndex.StdOut, null);
            using var stderr = muxed.GetStream(ChannelIndex.StdErr, null);
            using var status = muxed.GetStream(ChannelIndex.Error, null);
            muxed.Start();
            var output = ReadLinesAsync(stdout, false, onLine, deadline.Token);
            var error = ReadLinesAsync(stderr, true, onLine, deadline.Token);
            using var statusReader = new StreamReader(status);
            var statusText = await statusReader.ReadToEndAsync(deadline.Token);
            var (outText, errText) = (await output, await error);
            return new AgentCommandResult(ExitCode(statusText), outText, errText, pod);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"'{command[0]}' in pod {pod.Name} did not finish within {timeout.TotalSeconds:F0} s.");
        }
        catch (Exception ex) when (ex is WebSocketException or HttpOperationException or KubernetesException or IOException)
        {
            throw new AgentUnavailableException($"Running a command in pod {pod.Name} failed: {ex.Message}", ex);
        }
    }

    public Task<AgentPod> FindPodAsync(CancellationToken cancellationToken) => FindPodAsync(Client(), cancellationToken);

    private IKubernetes Client() =>
        cluster.Client ?? throw new AgentUnavailableException("No cluster is configured (Overseer:Cluster:Kubeconfig).");

    /// <summary>The newest running, ready pod of the agent's Deployment.</summary>
    private async Task<AgentPod> FindPodAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        V1PodList pods;
        try
        {
            pods = await client.CoreV1.ListNamespacedPodAsync(_options.Namespace, labelSelector: _options.PodSelector, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException)
        {
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

    private async Task<string> ReadLinesAsync(Stream stream, bool isError, Action<AgentOutputLine>? onLine, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var all = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            all.AppendLine(line);
            onLine?.Invoke(new AgentOutputLine(time.GetUtcNow(), line, isError));
        }

        return all.ToString();
    }

    /// <summary>0 for Success; the ExitCode cause of a NonZeroExitCode failure; otherwise the failure is thrown.</summary>
    private static int ExitCode(string statusText)
    {
        if (string.IsNullOrWhiteSpace(statusText))
        {
            throw new AgentUnavailableException("The exec ended without a status (the connection was lost).");
        }

        var status = KubernetesJson.Deserialize<V1Status>(statusText);
        if (status.Status == "Success")
        {
            return 0;
        }

        var code = status.Details?.Causes?.FirstOrDefault(c => c.Reason == "ExitCode")?.Message;
        return status.Reason == "NonZeroExitCode" && int.TryParse(code, System.Globalization.CultureInfo.InvariantCulture, out var exit)
            ? exit
            : throw new AgentUnavailableException($"The exec failed: {status.Message}");
    }
}
