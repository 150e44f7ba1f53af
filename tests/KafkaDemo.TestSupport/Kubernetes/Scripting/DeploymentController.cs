using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using k8s;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The Deployment and ReplicaSet controllers folded into one, with what pod creation goes through on
/// the way (service account admission) and the node's kubelet behind it. For each Deployment it keeps
/// <c>spec.replicas</c> pods (default 1) of the current pod template: named
/// <c>{deployment}-{pod-template-hash}-{5 random}</c>, labelled with <c>pod-template-hash</c>, owned by a
/// ReplicaSet <c>{deployment}-{pod-template-hash}</c> that is named but not served. A new template's pods
/// are made first and the old ones deleted once all new ones are Ready (Recreate deletes first); a
/// deleted pod is replaced; a deleted Deployment takes its pods (the garbage collector's work). It
/// writes the Deployment's status as its pods come and go. Reconciles are serialised.
/// </summary>
internal sealed class DeploymentController : IDisposable
{
    private const string Manager = "kube-controller-manager";
    private const string HashLabel = "pod-template-hash";

    private readonly FakeKubernetesApi api;
    private readonly TimeSpan delay;
    private readonly ClusterDefaults defaults;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly List<IDisposable> hooks = [];

    public DeploymentController(FakeKubernetesApi api, TimeSpan delay)
    {
        this.api = api;
        this.delay = delay;
        defaults = new ClusterDefaults(api);
        hooks.Add(api.OnWrite(w => w.IsOf(ResourceType.Namespaces) && w.Type == WatchEventType.Added, (w, _) => Run(() => defaults.Ensure(w.Name))));
        hooks.Add(api.OnWrite(
            w => w.IsOf(ResourceType.Pods) && w.Type == WatchEventType.Added && JsonFields.Text(w.Item, "spec", "nodeName") is null
                && JsonFields.Text(w.Item, "status", "phase") is null or "Pending",
            (w, token) => api.Kubelet.RunAsync(w.Namespace!, w.Name, JsonFields.Text(w.Item, "metadata", "uid") ?? "", delay, token)));
        hooks.Add(api.OnWrite(
            w => (w.IsOf(ResourceType.ConfigMaps) || w.IsOf(ResourceType.Secrets)) && w.Type != WatchEventType.Deleted,
            (w, _) => Run(() => api.Kubelet.Retry(w.Namespace!))));
        hooks.Add(api.OnWrite(
            w => w.IsOf(ResourceType.Deployments) && (w.SpecChanged || w.Type == WatchEventType.Deleted),
            (w, token) => ReconcileAsync(w.Namespace!, w.Name, token)));
        hooks.Add(api.OnWrite(
            w => w.IsOf(ResourceType.Pods) && w.Type != WatchEventType.Added && OwningDeployment(w.Item) is not null,
            (w, token) => ReconcileAsync(w.Namespace!, OwningDeployment(w.Item)!, token)));
        hooks.Add(api.OnWrite(
            w => w.IsOf(ResourceType.ServiceAccounts) && w.Type == WatchEventType.Added,
            async (w, token) =>
            {
                foreach (var deployment in api.List(ResourceType.Deployments, w.Namespace))
                {
                    await ReconcileAsync(w.Namespace!, JsonFields.Text(deployment, "metadata", "name") ?? "", token);
                }
            }));

        // As a controller does when it starts: catch up with what is already there.
        defaults.EnsureAll();
        gate.Wait();
        try
        {
            foreach (var deployment in api.List(ResourceType.Deployments))
            {
                Reconcile(JsonFields.Text(deployment, "metadata", "namespace") ?? "", JsonFields.Text(deployment, "metadata", "name") ?? "");
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var hook in hooks)
        {
            hook.Dispose();
        }
    }

    /// <summary>
    /// The pod-template-hash: FNV-32a of the template, its decimal digits encoded as
    /// apimachinery's rand.SafeEncodeString does (kubernetes pkg/controller/controller_utils.go ComputeHash).
    /// The real hash is taken over Go's printed struct, so the value differs; the form is the same.
    /// </summary>
    public static string TemplateHash(JsonNode? template)
    {
        const string Alphanumerics = "bcdfghjklmnpqrstvwxz2456789";
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(Canonical(template)))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return string.Concat(hash.ToString(CultureInfo.InvariantCulture).Select(c => Alphanumerics[c % Alphanumerics.Length]));
    }

    private static Task Run(Action action)
    {
        action();
        return Task.CompletedTask;
    }

    private async Task ReconcileAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            Reconcile(@namespace, name);
        }
        finally
        {
            gate.Release();
        }
    }

    private void Reconcile(string @namespace, string name)
    {
        var deployment = api.Get(ResourceType.Deployments, @namespace, name);
        var pods = OwnedPods(@namespace, name);
        if (deployment is null)
        {
            pods.ForEach(p => DeletePod(@namespace, p));
            return;
        }

        var template = deployment["spec"]?["template"] as JsonObject ?? [];
        var replicaSet = $"{name}-{TemplateHash(template)}";
        var replicas = deployment["spec"]?["replicas"] is JsonValue r && r.TryGetValue<int>(out var count) ? count : 1;
        var current = pods.Where(p => ReplicaSetOf(p) == replicaSet).ToList();
        var old = pods.Except(current).ToList();
        if (JsonFields.Text(deployment, "spec", "strategy", "type") == "Recreate" && old.Count > 0)
        {
            old.ForEach(p => DeletePod(@namespace, p));
            old.Clear();
        }

        string? createFailure = null;
        for (var i = current.Count; i < replicas && createFailure is null; i++)
        {
            createFailure = CreatePod(deployment, template, replicaSet);
        }

        foreach (var surplus in current.OrderBy(IsReady).ThenByDescending(p => JsonFields.Text(p, "metadata", "name"), StringComparer.Ordinal).Take(Math.Max(current.Count - replicas, 0)))
        {
            DeletePod(@namespace, surplus);
        }

        current = [.. OwnedPods(@namespace, name).Where(p => ReplicaSetOf(p) == replicaSet)];
        if (old.Count > 0 && current.Count == replicas && current.All(IsReady))
        {
            old.ForEach(p => DeletePod(@namespace, p));
            old.Clear();
        }

        WriteStatus(deployment, replicaSet, replicas, current, old, createFailure);
    }

    /// <summary>
    /// Makes one pod from the template, as the ReplicaSet controller asks and service account admission
    /// lets it; the refusal's text (admission.NewForbidden over "error looking up service account"), or null.
    /// </summary>
    private string? CreatePod(JsonObject deployment, JsonObject template, string replicaSet)
    {
        var @namespace = JsonFields.Text(deployment, "metadata", "namespace") ?? "";
        var metadata = (JsonObject?)template["metadata"]?.DeepClone() ?? [];
        var labels = metadata["labels"] as JsonObject ?? [];
        labels[HashLabel] = replicaSet[(replicaSet.LastIndexOf('-') + 1)..];
        var spec = (JsonObject?)template["spec"]?.DeepClone() ?? [];
        if (ServiceAccountAdmission.Admit(@namespace, metadata, spec, (ns, name) => api.Get(ResourceType.ServiceAccounts, ns, name)) is { } refusal)
        {
            // admission.NewForbidden names the pod by its generateName, the name not being made yet.
            return $"pods \"{replicaSet}-\" is forbidden: {refusal}";
        }

        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["generateName"] = replicaSet + "-",
                ["namespace"] = @namespace,
                ["labels"] = labels.DeepClone(),
                ["annotations"] = metadata["annotations"]?.DeepClone(),
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "apps/v1",
                    ["kind"] = "ReplicaSet",
                    ["name"] = replicaSet,
                    ["uid"] = ReplicaSetUid(deployment, replicaSet),
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                }),
            },
            ["spec"] = spec,
        };
        if (pod["metadata"]!["annotations"] is null)
        {
            ((JsonObject)pod["metadata"]!).Remove("annotations");
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                api.Writer.Create(api.Kinds.Find(ResourceType.Pods)!, @namespace, pod, Manager, dryRun: false);
                return null;
            }
            catch (ApiStatusException e) when (e.Code == HttpStatusCode.Conflict && attempt < 3)
            {
                // The generated name was taken: the real server answers AlreadyExists and the controller tries again.
            }
            catch (ApiStatusException e) when (e.Code == HttpStatusCode.NotFound)
            {
                return e.Message;
            }
        }
    }

    private void DeletePod(string @namespace, JsonObject pod)
    {
        try
        {
            api.Writer.Delete(api.Kinds.Find(ResourceType.Pods)!, @namespace, JsonFields.Text(pod, "metadata", "name") ?? "", dryRun: false, Manager);
        }
        catch (ApiStatusException e) when (e.Code == HttpStatusCode.NotFound)
        {
            // Gone already.
        }
    }

    /// <summary>
    /// The Deployment's status as the deployment controller's calculateStatus and its conditions
    /// (pkg/controller/deployment/sync.go, progress.go) would put it, zero counts left out (omitempty).
    /// </summary>
    private void WriteStatus(JsonObject deployment, string replicaSet, int replicas, List<JsonObject> current, List<JsonObject> old, string? createFailure)
    {
        var all = current.Concat(old).ToList();
        var available = all.Count(IsReady);
        var unavailable = Math.Max(replicas + old.Count - available, 0);
        var complete = current.Count == replicas && current.All(IsReady) && old.Count == 0;
        var before = deployment["status"] as JsonObject;
        var conditions = new JsonArray(
            available >= replicas - MaxUnavailable(deployment, replicas)
                ? Condition(before, "Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability.")
                : Condition(before, "Available", false, "MinimumReplicasUnavailable", "Deployment does not have minimum availability."),
            complete
                ? Condition(before, "Progressing", true, "NewReplicaSetAvailable", $"ReplicaSet \"{replicaSet}\" has successfully progressed.")
                : Condition(before, "Progressing", true, "ReplicaSetUpdated", $"ReplicaSet \"{replicaSet}\" is progressing."));
        if (createFailure is not null)
        {
            conditions.Add(Condition(before, "ReplicaFailure", true, "FailedCreate", createFailure));
        }

        static JsonNode? Count(int value) => value == 0 ? null : value;
        var status = new JsonObject
        {
            ["observedGeneration"] = deployment["metadata"]?["generation"]?.DeepClone(),
            ["replicas"] = Count(all.Count),
            ["updatedReplicas"] = Count(current.Count),
            ["readyReplicas"] = Count(available),
            ["availableReplicas"] = Count(available),
            ["unavailableReplicas"] = Count(unavailable),
            ["conditions"] = conditions,
        };
        var unchanged = before is not null && status.All(p => JsonNode.DeepEquals(p.Value, before[p.Key]));
        if (unchanged)
        {
            return;
        }

        try
        {
            api.PatchStatus(ResourceType.Deployments, JsonFields.Text(deployment, "metadata", "namespace"), JsonFields.Text(deployment, "metadata", "name") ?? "", status, Manager);
        }
        catch (InvalidOperationException) when (api.Get(ResourceType.Deployments, JsonFields.Text(deployment, "metadata", "namespace"), JsonFields.Text(deployment, "metadata", "name") ?? "") is null)
        {
            // Deleted in between.
        }
    }

    /// <summary>A condition; its times stay while nothing about it changes (lastTransitionTime while its status stays).</summary>
    private JsonObject Condition(JsonObject? status, string type, bool value, string reason, string message)
    {
        var now = KubeTime.Format(api.Now);
        var text = value ? "True" : "False";
        var before = (status?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => JsonFields.Text(c, "type") == type);
        var same = before is not null && JsonFields.Text(before, "status") == text;
        var unchanged = same && JsonFields.Text(before, "reason") == reason && JsonFields.Text(before, "message") == message;
        return new JsonObject
        {
            ["type"] = type,
            ["status"] = text,
            ["lastUpdateTime"] = unchanged ? before!["lastUpdateTime"]?.DeepClone() : now,
            ["lastTransitionTime"] = same ? before!["lastTransitionTime"]?.DeepClone() : now,
            ["reason"] = reason,
            ["message"] = message,
        };
    }

    /// <summary>
    /// deploymentutil.MaxUnavailable: 0 for Recreate or no replicas; else spec.strategy.rollingUpdate.maxUnavailable
    /// (a count, or a percentage of replicas rounded down; default 25%).
    /// </summary>
    private static int MaxUnavailable(JsonObject deployment, int replicas)
    {
        if (replicas == 0 || JsonFields.Text(deployment, "spec", "strategy", "type") == "Recreate")
        {
            return 0;
        }

        var value = deployment["spec"]?["strategy"]?["rollingUpdate"]?["maxUnavailable"];
        if (value is JsonValue number && number.TryGetValue<int>(out var count))
        {
            return Math.Min(count, replicas);
        }

        var percent = value is JsonValue text && text.TryGetValue<string>(out var s) && s.EndsWith('%')
            && int.TryParse(s[..^1], CultureInfo.InvariantCulture, out var p) ? p : 25;
        return Math.Min(replicas * percent / 100, replicas);
    }

    private List<JsonObject> OwnedPods(string @namespace, string deployment) =>
        [.. api.List(ResourceType.Pods, @namespace).Where(p => OwningDeployment(p) == deployment)];

    /// <summary>The ReplicaSet that controls a pod, if it is one of this controller's: named {deployment}-{pod-template-hash}.</summary>
    private static string? ReplicaSetOf(JsonObject pod) =>
        (pod["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(o => JsonFields.Text(o, "kind") == "ReplicaSet" && JsonFields.Text(o, "apiVersion") == "apps/v1")
            .Select(o => JsonFields.Text(o, "name"))
            .FirstOrDefault(n => JsonFields.Text(pod, "metadata", "labels", HashLabel) is { Length: > 0 } hash && n?.EndsWith("-" + hash, StringComparison.Ordinal) == true);

    private static string? OwningDeployment(JsonObject pod) =>
        ReplicaSetOf(pod) is { } replicaSet ? replicaSet[..replicaSet.LastIndexOf('-')] : null;

    /// <summary>The pod's Ready condition is True (podutil.IsPodReady), as both controllers read it.</summary>
    internal static bool IsReady(JsonObject pod) =>
        (pod["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Any(c => JsonFields.Text(c, "type") == "Ready" && JsonFields.Text(c, "status") == "True");

    private static string ReplicaSetUid(JsonObject deployment, string replicaSet) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{JsonFields.Text(deployment, "metadata", "uid")}/{replicaSet}"))[..16]).ToString();

    /// <summary>JSON with every object's keys in ordinal order, so equal templates hash alike.</summary>
    private static string Canonical(JsonNode? node) => node switch
    {
        JsonObject map => "{" + string.Join(',', map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{JsonValue.Create(p.Key).ToJsonString()}:{Canonical(p.Value)}")) + "}",
        JsonArray list => "[" + string.Join(',', list.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };
}
