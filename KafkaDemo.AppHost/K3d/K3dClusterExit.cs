using KafkaDemo.AppHost.Lifecycle;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.K3d;

/// <summary>
/// On AppHost shutdown, for each k3d cluster in the model: keeps it (the default, so the next start
/// is fast) or deletes it (KafkaDemo:K3d:DeleteOnExit=true). A hosted service, so the host awaits it.
/// </summary>
public sealed class K3dClusterExit(DistributedApplicationModel model, K3dCli cli, ILogger<K3dClusterExit> appLog) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var cluster in model.Resources.OfType<K3dClusterResource>())
        {
            var name = cluster.Settings.ClusterName;
            if (!cluster.Settings.DeleteOnExit)
            {
                appLog.LogInformation("The k3d cluster {Name} keeps running, so the next start is fast (KafkaDemo:K3d:DeleteOnExit=true deletes it; or: k3d cluster delete {Name}).", name, name);
                continue;
            }

            appLog.LogInformation("Deleting the k3d cluster {Name} (KafkaDemo:K3d:DeleteOnExit=true).", name);
            try
            {
                await cli.DeleteClusterAsync(name, line => appLog.LogInformation("k3d: {Line}", line), cancellationToken);
            }
            catch (ClusterSetupException ex)
            {
                appLog.LogError("{Message}", ex.Message);
            }
        }
    }
}
