using Aspire.Hosting.Testing;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>The real AppHost in k3d mode, on free ports, with its state (kubeconfig, caches) in a folder of the test's own.</summary>
internal sealed class K3dTestApp : IDisposable
{
    private K3dTestApp(string stateDirectory, int nodePort, string clusterName)
    {
        StateDirectory = stateDirectory;
        NodePort = nodePort;
        ClusterName = clusterName;
    }

    public string StateDirectory { get; }

    /// <summary>The bootstrap node port; the brokers follow it.</summary>
    public int NodePort { get; }

    public string ClusterName { get; }

    public string KubeconfigPath => Path.Combine(StateDirectory, $"{ClusterName}.kubeconfig");

    /// <summary>The Overseer's kubeconfig: its own service account's token (k3d/overseer).</summary>
    public string OverseerKubeconfigPath => Path.Combine(StateDirectory, $"{ClusterName}-overseer.kubeconfig");

    public static K3dTestApp Create(string clusterName = "kafkademo", int brokers = 3) =>
        new(Directory.CreateTempSubdirectory("kafkademo-k3d-").FullName,
            FreePorts.Block(brokers + 1, K3dSettings.NodePortMin, K3dSettings.NodePortMax),
            clusterName);

    public Task<IDistributedApplicationTestingBuilder> BuilderAsync(params string[] extra) =>
        TestApp.CreateInModeAsync("k3d",
        [
            $"--KafkaDemo:K3d:ClusterName={ClusterName}",
            $"--KafkaDemo:K3d:StateDirectory={StateDirectory}",
            $"--KafkaDemo:K3d:NodePort={NodePort}",
            .. extra,
        ]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
