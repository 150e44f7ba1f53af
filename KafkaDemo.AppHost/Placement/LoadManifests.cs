using System.Globalization;
using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Manifests;
using KafkaDemo.DeploymentContract.Load;

namespace KafkaDemo.AppHost.Placement;

/// <summary>
/// The load's objects as the AppHost applies them: <c>deploy/load</c> (built in, kustomized as
/// <c>kubectl kustomize</c> would) with the settings put in: the bootstrap servers, topics, rate and
/// message size in the ConfigMap, and per Deployment its image (tagged by the hash of its inputs),
/// replicas and telemetry route. The Secrets are never in a file: <see cref="Secret"/> makes them.
/// </summary>
public static class LoadManifests
{
    public const string Folder = "deploy/load";

    /// <summary>The ConfigMap every pod of the load reads its settings from (envFrom).</summary>
    public const string SettingsConfigMap = "load-settings";

    /// <summary>The Secret with the dashboard's OTLP header (x-otlp-api-key=...), when the dashboard has a key.</summary>
    public const string OtlpSecretName = "kafkademo-otlp";

    public const string OtlpSecretKey = "headers";

    public static IReadOnlyList<JsonObject> Files() => ManifestFiles.Kustomize(Folder);

    /// <summary>
    /// What one Deployment needs applied, in order: the namespace, the settings, the Deployment and its
    /// Service, and the Overseer's Role and RoleBinding there (it finds the pods from the EndpointSlices and
    /// reaches them through the pod proxy). Applied for each Deployment, the shared objects are the same each time.
    /// </summary>
    /// <param name="otlp">Where the pods send telemetry, or null for nowhere.</param>
    /// <param name="imagePullSecret">The docker-registry Secret in the load's namespace the pods pull their image with, or null for none.</param>
    public static IReadOnlyList<JsonObject> Render(ClusterDeploymentSpec spec, string image, string bootstrapServers, OtlpRoute? otlp, string? imagePullSecret = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var load = spec.Load;
        var objects = new List<JsonObject>();
        foreach (var item in Files())
        {
            var kind = (string?)item["kind"];
            var name = (string?)item["metadata"]?["name"];
            switch (kind)
            {
                case "Namespace":
                    objects.Add(item);
                    break;
                case "ConfigMap" when name == SettingsConfigMap:
                    var data = item["data"]!.AsObject();
                    data["ConnectionStrings__kafka"] = bootstrapServers;
                    data["Producer__Topics"] = load.Topics;
                    data["Consumer__Topics"] = load.Topics;
                    data["Producer__Rate"] = load.RatePerProducer.ToString(CultureInfo.InvariantCulture);
                    data["Producer__MessageSize"] = load.MessageSize;
                    objects.Add(item);
                    break;
                case "Service" when name == spec.Deployment:
                case "Role" or "RoleBinding":
                    objects.Add(item);
                    break;
                case "Deployment" when name == spec.Deployment:
                    item["spec"]!["replicas"] = spec.Replicas;
                    var container = item["spec"]!["template"]!["spec"]!["containers"]!.AsArray().OfType<JsonObject>().Single(c => (string?)c["name"] == spec.Deployment);
                    container["image"] = image;
                    if (otlp is not null)
                    {
                        AddTelemetry(container["env"]!.AsArray(), otlp);
                    }

                    if (!string.IsNullOrEmpty(imagePullSecret))
                    {
                        // core/v1 PodSpec.imagePullSecrets: LocalObjectReference items, Secrets in the pod's namespace.
                        item["spec"]!["template"]!["spec"]!["imagePullSecrets"] = new JsonArray(new JsonObject { ["name"] = imagePullSecret });
                    }

                    objects.Add(item);
                    break;
            }
        }

        return objects;
    }

    /// <summary>
    /// The replicas of a Deployment applied again: the configured count only creates it. Once it exists the
    /// count is the scale commands' (or <c>kubectl scale</c>'s), so this apply must not take it back.
    /// Server-side apply (https://kubernetes.io/docs/reference/using-api/server-side-apply/, "Transferring
    /// ownership"): a field left out of the applied configuration is deleted, or reset to its default (1 for
    /// replicas), only when its applier was its sole owner; a write through <c>deployments/scale</c> takes
    /// <c>spec.replicas</c> from every other manager (apiserver fieldmanager scalehandler.go
    /// ScaleHandler.ToParent). So: while the AppHost's apply still owns <c>spec.replicas</c> (nothing scaled
    /// it since), it applies the live count, which changes nothing and keeps it; once the scale subresource
    /// owns it, it leaves the field out and the scaled count stands. In the first case the apply carries
    /// <paramref name="live"/>'s resourceVersion as a precondition: a scale between the read and the apply
    /// would otherwise be undone (the forced apply takes spec.replicas back at the count read), and with
    /// it the API server refuses the apply with 409 Conflict instead (k8s.io/apiserver v0.32.13
    /// pkg/registry/generic/registry/store.go Store.Update: an object with a resourceVersion other than the
    /// stored one is an OptimisticLockErrorMsg conflict; server-side apply keeps the applied
    /// metadata.resourceVersion, which apimachinery's managedfields/internal/stripmeta.go only leaves
    /// out of the ownership), and <see cref="DeploymentReapply"/> reads it again.
    /// </summary>
    /// <param name="deployment">The Deployment as <see cref="Render"/> made it (its replicas the configured count).</param>
    /// <param name="live">The Deployment in the cluster, or null when there is none yet.</param>
    public static void KeepLiveReplicas(JsonObject deployment, JsonObject? live, string fieldManager)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        if (live is null || deployment["spec"] is not JsonObject spec)
        {
            return;
        }

        if (AppliesReplicas(live, fieldManager) && live["spec"]?["replicas"] is JsonValue replicas)
        {
            spec["replicas"] = replicas.DeepClone();
            if ((string?)live["metadata"]?["resourceVersion"] is { Length: > 0 } version && deployment["metadata"] is JsonObject metadata)
            {
                metadata["resourceVersion"] = version;
            }
        }
        else
        {
            spec.Remove("replicas");
        }
    }

    /// <summary>Whether <paramref name="fieldManager"/>'s apply (not an update, nor through a subresource) owns spec.replicas.</summary>
    private static bool AppliesReplicas(JsonObject live, string fieldManager) =>
        (live["metadata"]?["managedFields"] as JsonArray ?? []).OfType<JsonObject>().Any(e =>
            (string?)e["manager"] == fieldManager && (string?)e["operation"] == "Apply" && e["subresource"] is null
            && e["fieldsV1"]?["f:spec"]?["f:replicas"] is not null);

    /// <summary>An Opaque Secret in the load's namespace, from a parameter's value (string data; the API server stores it base64).</summary>
    public static JsonObject Secret(string name, string key, string value) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = LoadDeployment.Namespace,
            ["labels"] = new JsonObject { ["app.kubernetes.io/part-of"] = "kafkademo" },
        },
        ["type"] = "Opaque",
        ["stringData"] = new JsonObject { [key] = value },
    };

    /// <summary>Aspire 13.6 OtlpConfigurationExtensions.RegisterOtlpEnvironment's Development settings (KnownOtelConfigNames), but the GenAI one.</summary>
    public static readonly IReadOnlyList<(string Name, string Value)> QuickExportSettings =
    [
        ("OTEL_BLRP_SCHEDULE_DELAY", "1000"),
        ("OTEL_BSP_SCHEDULE_DELAY", "1000"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "1000"),
        ("OTEL_TRACES_SAMPLER", "always_on"),
        ("OTEL_METRICS_EXEMPLAR_FILTER", "trace_based"),
    ];

    /// <summary>
    /// The OpenTelemetry SDK's exporter variables (opentelemetry-specification, SDK environment
    /// variables: OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS), as Aspire gives them to its projects
    /// (Aspire 13.6 OtlpConfigurationExtensions.RegisterOtlpEnvironment), with the header from a Secret.
    /// </summary>
    private static void AddTelemetry(JsonArray env, OtlpRoute otlp)
    {
        env.Add(new JsonObject { ["name"] = "OTEL_EXPORTER_OTLP_ENDPOINT", ["value"] = otlp.Endpoint });
        env.Add(new JsonObject { ["name"] = "OTEL_EXPORTER_OTLP_PROTOCOL", ["value"] = otlp.Protocol });
        if (otlp.HasApiKey)
        {
            env.Add(new JsonObject
            {
                ["name"] = "OTEL_EXPORTER_OTLP_HEADERS",
                ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = OtlpSecretName, ["key"] = OtlpSecretKey } },
            });
        }

        if (otlp.QuickExport)
        {
            // What Aspire gives its projects in Development (RegisterOtlpEnvironment, environment.IsDevelopment()): batches
            // of logs and spans and the metrics every second rather than the SDK's 5 s and 60 s, every trace sampled,
            // exemplars from sampled traces; so the pods' telemetry shows in the dashboard as soon as the host services' does.
            foreach (var (name, value) in QuickExportSettings)
            {
                env.Add(new JsonObject { ["name"] = name, ["value"] = value });
            }
        }
    }
}
