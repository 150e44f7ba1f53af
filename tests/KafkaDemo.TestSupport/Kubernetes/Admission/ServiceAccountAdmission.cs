using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The ServiceAccount admission plugin's mutation of a pod being created (k8s.io/kubernetes
/// plugin/pkg/admission/serviceaccount/admission.go Admit): mirror pods are left alone; the account
/// defaults to "default" and must exist (otherwise the pod is forbidden: "error looking up service
/// account {ns}/{name}: serviceaccount "{name}" not found"); unless automount is off (on the pod, else
/// on the account), the <c>kube-api-access-*</c> projected volume is added and mounted in every
/// container. It runs for pods the Deployment controller makes and for pods created through the API.
/// </summary>
internal static class ServiceAccountAdmission
{
    private const string TokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    private const string MirrorPodAnnotation = "kubernetes.io/config.mirror";

    private static readonly string[] ContainerLists = ["initContainers", "containers"];

    /// <summary>
    /// Mutates a new pod's spec as the plugin does; returns the refusal (the cause admission.NewForbidden
    /// wraps) when its service account does not exist, else null.
    /// </summary>
    public static string? Admit(string @namespace, JsonObject? metadata, JsonObject spec, Func<string, string, JsonObject?> getServiceAccount)
    {
        if (metadata?["annotations"] is JsonObject annotations && annotations.ContainsKey(MirrorPodAnnotation))
        {
            return null;
        }

        var account = JsonFields.Text(spec, "serviceAccountName") is { Length: > 0 } given ? given : "default";
        if (getServiceAccount(@namespace, account) is not { } serviceAccount)
        {
            return $"error looking up service account {@namespace}/{account}: serviceaccount \"{account}\" not found";
        }

        spec["serviceAccountName"] = account;
        spec["serviceAccount"] = account;
        if (ShouldAutomount(serviceAccount, spec))
        {
            MountServiceAccountToken(spec);
        }

        return null;
    }

    /// <summary>
    /// plugin/pkg/admission/serviceaccount/admission.go shouldAutomount: the pod's
    /// <c>automountServiceAccountToken</c> wins, then the ServiceAccount's, else true.
    /// </summary>
    private static bool ShouldAutomount(JsonObject serviceAccount, JsonObject spec) =>
        spec["automountServiceAccountToken"] is JsonValue pod && pod.TryGetValue<bool>(out var fromPod) ? fromPod
        : serviceAccount["automountServiceAccountToken"] is JsonValue sa && sa.TryGetValue<bool>(out var fromAccount) ? fromAccount
        : true;

    /// <summary>
    /// admission.go mountServiceAccountToken: a projected volume <c>kube-api-access-{5 random}</c> (the
    /// token, <c>ca.crt</c> from kube-root-ca.crt, the namespace) mounted read-only at
    /// /var/run/secrets/kubernetes.io/serviceaccount in every container that mounts nothing there.
    /// </summary>
    private static void MountServiceAccountToken(JsonObject spec)
    {
        const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var volumes = spec["volumes"] as JsonArray ?? [];
        spec["volumes"] = volumes;
        var name = volumes.OfType<JsonObject>().Select(v => JsonFields.Text(v, "name")).FirstOrDefault(n => n?.StartsWith("kube-api-access-", StringComparison.Ordinal) == true)
            ?? "kube-api-access-" + string.Concat(Enumerable.Range(0, 5).Select(_ => Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)]));
        var needed = false;
        foreach (var container in ContainerLists.SelectMany(list => (spec[list] as JsonArray ?? []).OfType<JsonObject>()))
        {
            var mounts = container["volumeMounts"] as JsonArray ?? [];
            if (mounts.OfType<JsonObject>().Any(m => JsonFields.Text(m, "mountPath") == TokenMountPath))
            {
                continue;
            }

            mounts.Add(new JsonObject { ["name"] = name, ["readOnly"] = true, ["mountPath"] = TokenMountPath });
            container["volumeMounts"] = mounts;
            needed = true;
        }

        if (needed && !volumes.OfType<JsonObject>().Any(v => JsonFields.Text(v, "name") == name))
        {
            var sources = JsonNode.Parse("""
                [{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
                 {"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},
                 {"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}]
                """);
            volumes.Add(new JsonObject { ["name"] = name, ["projected"] = new JsonObject { ["defaultMode"] = 420, ["sources"] = sources } });
        }
    }
}
