using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// What kube-controller-manager puts in every namespace, which pods rely on: the "default"
/// ServiceAccount (the serviceaccount controller) and the <c>kube-root-ca.crt</c> ConfigMap with the
/// cluster's CA under <c>ca.crt</c> (the root-ca-cert-publisher), which every pod's service account
/// token volume projects: the CA that signed the fake's serving certificate, so a pod's in-cluster
/// configuration (its token, this CA and the KUBERNETES_SERVICE_* variables) reaches the fake.
/// </summary>
internal sealed class ClusterDefaults(FakeKubernetesApi api)
{
    public const string RootCaConfigMap = "kube-root-ca.crt";

    private const string Manager = "kube-controller-manager";

    public void EnsureAll()
    {
        foreach (var ns in api.List(ResourceType.Namespaces))
        {
            Ensure(JsonFields.Text(ns, "metadata", "name") ?? "");
        }
    }

    public void Ensure(string @namespace)
    {
        TryCreate(ResourceType.ServiceAccounts, @namespace, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject { ["name"] = "default", ["namespace"] = @namespace },
        });
        TryCreate(ResourceType.ConfigMaps, @namespace, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject
            {
                ["name"] = RootCaConfigMap,
                ["namespace"] = @namespace,
                ["annotations"] = new JsonObject { ["kubernetes.io/description"] = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." },
            },
            ["data"] = new JsonObject { ["ca.crt"] = api.CertificateAuthorityPem },
        });
    }

    private void TryCreate(ResourceType type, string @namespace, JsonObject item)
    {
        var kind = api.Kinds.Find(type)!;
        try
        {
            api.Writer.Create(kind, @namespace, item, Manager, dryRun: false);
        }
        catch (ApiStatusException e) when (e.Code is System.Net.HttpStatusCode.Conflict or System.Net.HttpStatusCode.NotFound)
        {
            // There already (AlreadyExists), or the namespace went away meanwhile.
        }
    }
}
