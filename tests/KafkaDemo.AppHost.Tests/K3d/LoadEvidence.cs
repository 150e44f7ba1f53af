using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using KafkaDemo.DeploymentContract.Load;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// What a failed test of the load in a cluster (KafkaDemo:Placement=cluster) needs to explain itself:
/// the Overseer's /api/summary, the load's Deployments, pods and EndpointSlices as the fake holds them,
/// the processes its kubelet runs, and every resource's state, health and last log lines.
/// </summary>
internal static class LoadEvidence
{
    private const int LogLines = 40;

    /// <summary>
    /// Starts the app, failing with the evidence if it has not started within <paramref name="within"/>.
    /// Aspire's StartAsync returns only once every project has started (13.6 DcpExecutor.RunApplicationAsync
    /// awaits CreateRenderedResourcesAsync, and a project is created only after its WaitFor dependencies are
    /// healthy), and the Overseer waits for the load's Deployments: one that never becomes healthy would
    /// otherwise hold the test without a word.
    /// </summary>
    public static async Task StartAsync(DistributedApplication app, FakeKubernetesApi api, TimeSpan within, Func<string, IReadOnlyList<string>>? history = null)
    {
        var starting = app.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            await starting.WaitAsync(within, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException(
                $"The app did not finish starting within {within.TotalSeconds:0} s (Aspire's StartAsync waits until every project has started, each after what it WaitFor's is healthy).\n\n"
                + await DescribeAsync(app, api, history));
        }
    }

    /// <summary>The evidence, as text; <paramref name="history"/> gives a resource's states seen so far, when recorded.</summary>
    public static async Task<string> DescribeAsync(DistributedApplication app, FakeKubernetesApi api, Func<string, IReadOnlyList<string>>? history = null)
    {
        var text = new System.Text.StringBuilder("Evidence at the failure:\n");
        try
        {
            using var overseer = app.CreateHttpClient("overseer");
            overseer.Timeout = TimeSpan.FromSeconds(5);
            overseer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestApp.ControlToken);
            text.AppendLine($"/api/summary: {await overseer.GetStringAsync(new Uri("/api/summary", UriKind.Relative), CancellationToken.None)}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            text.AppendLine($"/api/summary: not read: {ex.Message}");
        }

        foreach (var deployment in api.List(ResourceType.Deployments, LoadDeployment.Namespace))
        {
            text.AppendLine($"Deployment {deployment["metadata"]!["name"]}: spec.replicas {deployment["spec"]?["replicas"]}, image {deployment["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"]}, status {deployment["status"]?.ToJsonString()}");
        }

        foreach (var pod in api.List(ResourceType.Pods, LoadDeployment.Namespace))
        {
            text.AppendLine($"Pod {pod["metadata"]!["name"]}: deleting {pod["metadata"]!["deletionTimestamp"] is not null}, phase {pod["status"]?["phase"]}, IP {pod["status"]?["podIP"]}, "
                + $"conditions {pod["status"]?["conditions"]?.ToJsonString()}, containers {pod["status"]?["containerStatuses"]?.ToJsonString()}");
        }

        foreach (var slice in api.List(ResourceType.EndpointSlices, LoadDeployment.Namespace))
        {
            text.AppendLine($"EndpointSlice {slice["metadata"]!["name"]}: {slice["endpoints"]?.ToJsonString()}");
        }

        foreach (var process in api.ContainerProcesses)
        {
            text.AppendLine($"Process of {process.Pod} (pid {process.ProcessId}): {(process.HasExited ? "exited" : "running")}");
        }

        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        foreach (var resource in model.Resources.Where(r => r is not ParameterResource).Select(r => r.Name))
        {
            var now = app.ResourceNotifications.TryGetCurrentState(resource, out var current)
                ? $"{current.Snapshot.State?.Text} (health {current.Snapshot.HealthStatus?.ToString() ?? "none"}: {string.Join("; ", current.Snapshot.HealthReports.Select(r => $"{r.Name} {r.Status} {r.Description}"))})"
                : "unknown";
            text.AppendLine($"{resource}: now {now}{(history is null ? "" : $"; states seen: {string.Join(" → ", history(resource))}")}");
            var lines = (await FakeCluster.LogsAsync(app, resource)).Split('\n');
            text.AppendLine($"{resource} log, last {Math.Min(lines.Length, LogLines)} of {lines.Length} lines:");
            foreach (var line in lines.TakeLast(LogLines))
            {
                text.AppendLine("  " + line);
            }
        }

        return text.ToString();
    }
}
