using System.Globalization;
using KafkaDemo.AppHost.Lifecycle;
using k8s;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Settings;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.K3d;

/// <summary>
/// Brings the k3d cluster up: checks the prerequisites, creates the cluster (or starts or reuses the
/// one that exists), and writes a kubeconfig of its own for it.
/// </summary>
public sealed class ClusterBringUp(K3dCli cli, K3dSettings settings)
{
    /// <summary>Below this much memory for Docker the cluster cannot hold three brokers.</summary>
    public const long MinimumMemoryBytes = 4L << 30;

    /// <summary>Below this much memory it may work, but the brokers compete with the rest.</summary>
    public const long RecommendedMemoryBytes = 8L << 30;

    /// <summary>The rendered cluster config, kept beside the kubeconfig.</summary>
    public string ConfigPath => Path.Combine(settings.ResolvedStateDirectory, $"{settings.ClusterName}.k3d.yaml");

    /// <summary>Runs every step; returns the path of the cluster's kubeconfig.</summary>
    /// <exception cref="ClusterSetupException">A step failed; the message names the cause and the fix.</exception>
    public async Task<string> RunAsync(ILogger log, Func<string, Task> state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(state);
        await state(K3dStates.CheckingPrerequisites);
        var docker = await cli.DockerInfoAsync(cancellationToken);
        log.LogInformation("Docker {Version}: {Memory:F1} GiB of memory, {Cpus} CPUs.", docker.ServerVersion, docker.MemoryBytes / (double)(1L << 30), docker.Cpus);
        CheckMemory(docker, log);
        var k3d = await cli.K3dVersionAsync(cancellationToken);
        log.LogInformation("k3d v{Version} (at least {Minimum} is needed).", k3d, K3dCli.MinimumK3d.ToString(2));

        var config = YamlDocuments.Write(ClusterConfig.Render(settings));
        var existing = await cli.FindClusterAsync(settings.ClusterName, cancellationToken);
        if (existing is not { Running: true })
        {
            CheckPorts();
        }

        Directory.CreateDirectory(settings.ResolvedStateDirectory);
        if (existing is null)
        {
            await state(K3dStates.CreatingCluster);
            await File.WriteAllTextAsync(ConfigPath, config, cancellationToken);
            log.LogInformation("Creating k3d cluster {Name} from {Config} (first start pulls images: several minutes).", settings.ClusterName, ConfigPath);
            await cli.CreateClusterAsync(ConfigPath, line => log.LogInformation("k3d: {Line}", line), cancellationToken);
        }
        else
        {
            if (File.Exists(ConfigPath) && await File.ReadAllTextAsync(ConfigPath, cancellationToken) != config)
            {
                log.LogWarning("Cluster {Name} was created with another configuration than KafkaDemo:K3d now gives ({Config}). Use the 'Recreate cluster' command to apply it.",
                    settings.ClusterName, ConfigPath);
            }

            if (existing.Running)
            {
                await state(K3dStates.ReusingCluster);
                log.LogInformation("Reusing the running k3d cluster {Name} ({Servers} server, {Agents} agents).", settings.ClusterName, existing.ServersCount, existing.AgentsCount);
            }
            else
            {
                await state(K3dStates.StartingCluster);
                log.LogInformation("Starting the stopped k3d cluster {Name}.", settings.ClusterName);
                await cli.StartClusterAsync(settings.ClusterName, line => log.LogInformation("k3d: {Line}", line), cancellationToken);
            }
        }

        var kubeconfig = await cli.KubeconfigAsync(settings.ClusterName, cancellationToken);
        await PrivateFile.WriteAsync(settings.KubeconfigPath, kubeconfig, cancellationToken);
        log.LogInformation("Kubeconfig for this cluster (your own kubeconfig is not changed): {Path}", settings.KubeconfigPath);
        log.LogInformation("By hand: kubectl --kubeconfig {Path} get kafka -n {Namespace}", settings.KubeconfigPath, K3dSettings.Namespace);
        await WaitForApiServerAsync(log, cancellationToken);
        return settings.KubeconfigPath;
    }

    private static void CheckMemory(DockerInfo docker, ILogger log)
    {
        if (docker.MemoryBytes is > 0 and < MinimumMemoryBytes)
        {
            throw new ClusterSetupException(
                string.Create(CultureInfo.InvariantCulture, $"Docker has {docker.MemoryBytes / (double)(1L << 30):F1} GiB of memory; the k3d mode needs at least {MinimumMemoryBytes >> 30} GiB (about 6 GiB with 3 brokers)."),
                "Give Docker more memory (Docker Desktop: Settings > Resources), or set KafkaDemo:K3d:Brokers=1, or use KafkaDemo:Mode=embedded.");
        }

        if (docker.MemoryBytes is > 0 and < RecommendedMemoryBytes)
        {
            log.LogWarning("Docker has {Memory:F1} GiB of memory; {Recommended} GiB or more is recommended for 3 brokers.", docker.MemoryBytes / (double)(1L << 30), RecommendedMemoryBytes >> 30);
        }
    }

    private void CheckPorts()
    {
        if (HostPorts.FirstInUse(settings.HostPorts) is { } port)
        {
            var bootstrap = port == settings.NodePort ? "the Kafka bootstrap port" : $"the port of Kafka broker {port - settings.NodePort - 1}";
            throw new ClusterSetupException(
                $"Host port 127.0.0.1:{port} ({bootstrap}) is already in use, so k3d cannot map it.",
                string.Create(CultureInfo.InvariantCulture,
                    $"Stop what listens there (find it with: ss -ltnp 'sport = :{port}'), or set KafkaDemo:K3d:NodePort to the first of {settings.Brokers + 1} free ports between {K3dSettings.NodePortMin} and {K3dSettings.NodePortMax}."));
        }
    }

    private async Task WaitForApiServerAsync(ILogger log, CancellationToken cancellationToken)
    {
        using var api = KubernetesApi.FromKubeconfig(settings.KubeconfigPath);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(90));
        Exception? last = null;
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                var version = await api.Client.Version.GetCodeAsync(deadline.Token);
                log.LogInformation("Kubernetes API server {Url} answers: {Version}.", api.Client.BaseUri, version.GitVersion);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or k8s.Autorest.HttpOperationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = ex;
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), deadline.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    break;
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new ClusterSetupException($"The cluster's Kubernetes API server ({api.Client.BaseUri}) did not answer within 90 s: {last?.Message}",
            $"Check 'docker ps' for k3d-{settings.ClusterName}-server-0, or use the 'Recreate cluster' command.", last);
    }
}
