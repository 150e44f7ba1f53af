using KafkaDemo.AppHost.Images;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.DeploymentContract.Load;

namespace KafkaDemo.AppHost.Placement;

/// <summary>
/// KafkaDemo:External:ImagePullSecret at bring-up: the Secret must be in the load's namespace, and of a type the
/// kubelet pulls with, before a Deployment names it. The kubelet takes only a <c>kubernetes.io/dockerconfigjson</c>
/// Secret with <c>.dockerconfigjson</c> (or the older <c>kubernetes.io/dockercfg</c> with <c>.dockercfg</c>) and
/// passes over any other (kubernetes pkg/credentialprovider/secrets/secrets.go MakeDockerKeyring, read at master
/// 09284d9); a missing one only shows as a pod event and an image pull that fails with the registry's "unauthorized".
/// The AppHost never makes this Secret: it holds the user's registry login.
/// </summary>
public static class ImagePullSecretCheck
{
    public const string Key = "KafkaDemo:External:ImagePullSecret";

    private static readonly Dictionary<string, string> DataKeyOfType = new(StringComparer.Ordinal)
    {
        ["kubernetes.io/dockerconfigjson"] = ".dockerconfigjson",
        ["kubernetes.io/dockercfg"] = ".dockercfg",
    };

    /// <exception cref="ClusterSetupException">The Secret is not there, or is no docker-registry Secret; the fix names the key and the kubectl command.</exception>
    public static async Task RequireAsync(KubernetesApi api, string name, ImageDestination images, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(images);
        var secret = await api.GetAsync(ApiKinds.Secret, LoadDeployment.Namespace, name, cancellationToken);
        if (secret is null)
        {
            throw new ClusterSetupException(
                $"{Key} names the Secret {LoadDeployment.Namespace}/{name}, and there is none: the load's pods could not pull their images.",
                $"Create it (the namespace exists now): {CreateCommand(name, images)}; or leave {Key} unset if the cluster pulls from the registry without a login. Then restart the AppHost.");
        }

        var type = (string?)secret["type"] ?? "Opaque";
        if (!DataKeyOfType.TryGetValue(type, out var dataKey) || secret["data"]?[dataKey] is null)
        {
            throw new ClusterSetupException(
                $"{Key} names the Secret {LoadDeployment.Namespace}/{name}, which is of type {type}{(DataKeyOfType.ContainsKey(type) ? $" without {dataKey}" : "")}: the kubelet pulls only with a kubernetes.io/dockerconfigjson Secret (key .dockerconfigjson).",
                $"Make it again as a docker-registry Secret: kubectl -n {LoadDeployment.Namespace} delete secret {name}, then {CreateCommand(name, images)}. Then restart the AppHost.");
        }
    }

    /// <summary>The kubectl command that makes the Secret, for the registry the images are pushed to.</summary>
    public static string CreateCommand(string name, ImageDestination images)
    {
        var server = images is RegistryPush push ? push.Registry.Split('/')[0] : "<registry>";
        return $"kubectl -n {LoadDeployment.Namespace} create secret docker-registry {name} --docker-server={server} --docker-username=<user> --docker-password=<password>";
    }
}
