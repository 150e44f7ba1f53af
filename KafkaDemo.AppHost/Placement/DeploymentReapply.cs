using System.Net;
using System.Text.Json.Nodes;
using k8s.Autorest;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.Placement;

/// <summary>
/// Applying a Deployment of the load, again or for the first time, without undoing a scale: the live
/// Deployment is read, its replicas kept as <see cref="LoadManifests.KeepLiveReplicas"/> says (with the
/// read's resourceVersion as a precondition while the apply still owns the count), and a 409 Conflict (it
/// changed in between: a scale, or the Deployment controller's status) reads it again and applies again.
/// </summary>
public static class DeploymentReapply
{
    /// <summary>Reads and applies this many times at most; each conflict is a write in the few milliseconds between the two.</summary>
    public const int Attempts = 5;

    /// <exception cref="ClusterSetupException">The API refused the Deployment, or it changed between each read and apply.</exception>
    public static async Task ApplyKeepingScaleAsync(this KubernetesApi api, JsonObject deployment, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(log);
        var name = (string?)deployment["metadata"]?["name"] ?? throw new InvalidOperationException($"{deployment.Describe()} has no metadata.name.");
        var ns = (string?)deployment["metadata"]?["namespace"];
        for (var attempt = 1; ; attempt++)
        {
            var item = deployment.DeepClone().AsObject();
            LoadManifests.KeepLiveReplicas(item, await api.GetAsync(ApiKinds.Deployment, ns, name, cancellationToken), KubernetesApi.FieldManager);
            try
            {
                await api.ApplyAsync(item, cancellationToken);
                log.LogInformation("Applied {Object}.", item.Describe());
                return;
            }
            catch (KubernetesApiException ex) when (ex.InnerException is HttpOperationException { Response.StatusCode: HttpStatusCode.Conflict } && attempt < Attempts)
            {
                // With force, server-side apply answers 409 only for the resourceVersion precondition.
                log.LogInformation("{Object} changed between its read and the apply (a scale, or its status); reading it again.", item.Describe());
            }
            catch (KubernetesApiException ex)
            {
                throw new ClusterSetupException(ex.Message, "Check the cluster with kubectl, or use the 'Recreate cluster' command.", ex);
            }
        }
    }
}
