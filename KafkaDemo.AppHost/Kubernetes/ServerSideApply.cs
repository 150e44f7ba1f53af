using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Lifecycle;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Kubernetes;

/// <summary>Applying an object during the k3d mode's bring-up: logged, and a refusal ends the bring-up with the fix.</summary>
public static class ServerSideApply
{
    /// <exception cref="ClusterSetupException">The API refused the object.</exception>
    public static async Task ApplyDuringSetupAsync(this KubernetesApi api, JsonObject item, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(log);
        try
        {
            await api.ApplyAsync(item, cancellationToken);
            log.LogInformation("Applied {Object}.", item.Describe());
        }
        catch (KubernetesApiException ex)
        {
            throw new ClusterSetupException(ex.Message, "Check the cluster with kubectl, or use the 'Recreate cluster' command.", ex);
        }
    }
}
