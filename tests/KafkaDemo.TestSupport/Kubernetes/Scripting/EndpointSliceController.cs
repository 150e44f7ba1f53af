using System.Net;
using System.Text.Json.Nodes;
using k8s;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// kube-controller-manager's EndpointSlice controller, for Services with a selector: one IPv4 slice per
/// distinct set of resolved ports (the real reconciler's endpointMeta), named by generateName
/// <c>{service}-</c>, labelled as <c>setEndpointSliceLabels</c> labels them, owned by the Service, with one
/// endpoint per selected pod that has an IP and is not terminal; a Service whose pods give no endpoint
/// gets the placeholder slice (no endpoints, no ports). A slice is updated in place (its name stays) when
/// its endpoints change, and removed when its port set is gone or the Service is. Reconciles are serialised.
/// Written from kubernetes/endpointslice (k8s.io/endpointslice) reconciler.go Reconcile and utils.go
/// podToEndpoint, getEndpointPorts, FindPort, newEndpointSlice, setEndpointSliceLabels.
/// </summary>
internal sealed class EndpointSliceController : IDisposable
{
    /// <summary>discovery/v1 well_known_labels.go LabelServiceName.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>discovery/v1 well_known_labels.go LabelManagedBy.</summary>
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";

    /// <summary>The controller's name (kube-controller-manager's endpointslice controller, ControllerName).</summary>
    public const string ControllerName = "endpointslice-controller.k8s.io";

    /// <summary>core/v1 well_known_labels.go IsHeadlessService.</summary>
    private const string HeadlessLabel = "service.kubernetes.io/headless";

    private const string Manager = "kube-controller-manager";

    private readonly FakeKubernetesApi api;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly List<IDisposable> hooks = [];

    public EndpointSliceController(FakeKubernetesApi api)
    {
        this.api = api;
        hooks.Add(api.OnWrite(w => w.IsOf(ResourceType.Services), (w, token) => ReconcileAsync(w.Namespace!, w.Name, token)));
        hooks.Add(api.OnWrite(
            w => w.IsOf(ResourceType.Pods) && PodEndpointMayChange(w),
            async (w, token) =>
            {
                foreach (var service in api.List(ResourceType.Services, w.Namespace))
                {
                    await ReconcileAsync(w.Namespace!, JsonFields.Text(service, "metadata", "name") ?? "", token);
                }
            }));

        // As the controller does when it starts: every Service is synced.
        gate.Wait();
        try
        {
            foreach (var service in api.List(ResourceType.Services))
            {
                Reconcile(JsonFields.Text(service, "metadata", "namespace") ?? "", JsonFields.Text(service, "metadata", "name") ?? "");
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
    /// A pod write that may change an endpoint: created, deleted, or its labels, IP, readiness, node,
    /// hostname or deletionTimestamp changed (util/controller_utils.go podEndpointsChanged, roughly).
    /// </summary>
    private static bool PodEndpointMayChange(ObjectWrite write)
    {
        if (write.Type != WatchEventType.Modified || write.Previous is null)
        {
            return true;
        }

        static string Key(JsonObject pod) => string.Join('|',
            pod["metadata"]?["labels"]?.ToJsonString(), pod["metadata"]?["deletionTimestamp"]?.ToJsonString(),
            pod["status"]?["podIPs"]?.ToJsonString(), pod["status"]?["phase"]?.ToJsonString(), DeploymentController.IsReady(pod),
            pod["spec"]?["nodeName"]?.ToJsonString(), pod["spec"]?["hostname"]?.ToJsonString(), pod["spec"]?["subdomain"]?.ToJsonString());
        return Key(write.Previous) != Key(write.Item);
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
        var service = api.Get(ResourceType.Services, @namespace, name);
        var existing = api.List(ResourceType.EndpointSlices, @namespace)
            .Where(s => JsonFields.Text(s, "metadata", "labels", ServiceNameLabel) == name
                && JsonFields.Text(s, "metadata", "labels", ManagedByLabel) == ControllerName)
            .ToList();
        if (service is null)
        {
            // The garbage collector's part: the slices go with their owner.
            existing.ForEach(s => Remove(@namespace, s));
            return;
        }

        // endpointslice_controller.go syncService: a Service without a selector gets no slices from
        // this controller (someone else manages them); ExternalName Services neither.
        var selector = service["spec"]?["selector"] as JsonObject;
        if (selector is null || JsonFields.Text(service, "spec", "type") == "ExternalName")
        {
            return;
        }

        var uid = JsonFields.Text(service, "metadata", "uid");
        existing = [.. existing.Where(s => (s["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>()
            .Any(o => JsonFields.Text(o, "uid") == uid && JsonFields.Text(o, "kind") == "Service" && JsonFields.Text(o, "apiVersion") == "v1"))];

        // Selector labels must all match (labels.Set(service.Spec.Selector).AsSelectorPreValidated()).
        // An empty selector selects every pod, as a labels.Set selector does.
        var pods = api.List(ResourceType.Pods, @namespace)
            .Where(p => selector.All(l => JsonFields.Text(p, "metadata", "labels", l.Key) == l.Value?.GetValue<string>()))
            .Where(ShouldPodBeInEndpoints)
            .OrderBy(p => JsonFields.Text(p, "metadata", "name"), StringComparer.Ordinal)
            .ToList();

        // reconciler.go reconcileByAddressType: endpoints grouped by their ports (endpointMeta).
        var groups = new List<(JsonArray Ports, JsonArray Endpoints)>();
        foreach (var pod in pods)
        {
            var ports = EndpointPorts(service, pod);
            var endpoint = PodToEndpoint(pod, service);
            if ((endpoint["addresses"] as JsonArray)?.Count is null or 0)
            {
                continue;
            }

            var group = groups.FirstOrDefault(g => JsonNode.DeepEquals(g.Ports, ports));
            if (group.Ports is null)
            {
                group = (ports, []);
                groups.Add(group);
            }

            group.Endpoints.Add(endpoint);
        }

        if (groups.Count == 0)
        {
            // reconciler.go: when no slices would exist, a placeholder (no endpoints, empty ports).
            groups.Add(([], []));
        }

        var unused = existing.ToList();
        var creates = new List<(JsonArray Ports, JsonArray Endpoints)>();
        foreach (var (ports, endpoints) in groups)
        {
            var slice = unused.FirstOrDefault(s => JsonNode.DeepEquals(s["ports"] ?? new JsonArray(), ports));
            if (slice is null)
            {
                creates.Add((ports, endpoints));
                continue;
            }

            unused.Remove(slice);
            Update(service, slice, ports, endpoints);
        }

        // reconciler.go finalize: creates become updates of slices that would otherwise be deleted
        // (same address type, owned by the Service), so a slice keeps its name when its ports change.
        while (creates.Count > 0 && unused.Count > 0)
        {
            var (ports, endpoints) = creates[^1];
            creates.RemoveAt(creates.Count - 1);
            Update(service, unused[0], ports, endpoints);
            unused.RemoveAt(0);
        }

        creates.ForEach(c => Create(service, c.Ports, c.Endpoints));
        unused.ForEach(s => Remove(@namespace, s));
    }

    /// <summary>Writes a slice's endpoints, ports and labels when they differ from what it has.</summary>
    private void Update(JsonObject service, JsonObject slice, JsonArray ports, JsonArray endpoints)
    {
        var labels = Labels(service);
        if (JsonNode.DeepEquals(slice["endpoints"] ?? new JsonArray(), endpoints) && JsonNode.DeepEquals(slice["ports"] ?? new JsonArray(), ports)
            && JsonNode.DeepEquals(slice["metadata"]?["labels"], labels))
        {
            return;
        }

        var next = (JsonObject)slice.DeepClone();
        next["endpoints"] = endpoints.DeepClone();
        next["ports"] = ports.DeepClone();
        JsonFields.Metadata(next)["labels"] = labels;
        Try(() => api.Put(next, Manager));
    }

    /// <summary>util/controller_utils.go ShouldPodBeInEndpoints(pod, includeTerminating: true): not terminal, with an IP.</summary>
    private static bool ShouldPodBeInEndpoints(JsonObject pod) =>
        JsonFields.Text(pod, "status", "phase") is not ("Succeeded" or "Failed")
        && (JsonFields.Text(pod, "status", "podIP") is { Length: > 0 } || (pod["status"]?["podIPs"] as JsonArray)?.Count > 0);

    /// <summary>utils.go podToEndpoint, for addressType IPv4 (the fake's pods have IPv4 addresses only).</summary>
    private static JsonObject PodToEndpoint(JsonObject pod, JsonObject service)
    {
        var serving = DeploymentController.IsReady(pod);
        var terminating = pod["metadata"]?["deletionTimestamp"] is not null;
        var publishNotReady = service["spec"]?["publishNotReadyAddresses"] is JsonValue p && p.TryGetValue<bool>(out var value) && value;
        var addresses = new JsonArray();
        foreach (var ip in (pod["status"]?["podIPs"] as JsonArray ?? []).OfType<JsonObject>().Select(i => JsonFields.Text(i, "ip")))
        {
            // getEndpointAddresses: parsed and printed again; only the slice's family.
            if (IPAddress.TryParse(ip, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                addresses.Add(address.ToString());
            }
        }

        var endpoint = new JsonObject
        {
            ["addresses"] = addresses,
            ["conditions"] = new JsonObject
            {
                // "ready" is never true for a terminating pod, unless publishNotReadyAddresses is set.
                ["ready"] = publishNotReady || (serving && !terminating),
                ["serving"] = serving,
                ["terminating"] = terminating,
            },
        };
        if (JsonFields.Text(pod, "spec", "hostname") is { Length: > 0 } hostname
            && JsonFields.Text(pod, "spec", "subdomain") == JsonFields.Text(service, "metadata", "name"))
        {
            // util ShouldSetHostname (same namespace holds: the pods are listed in the Service's).
            endpoint["hostname"] = hostname;
        }

        endpoint["targetRef"] = new JsonObject
        {
            ["kind"] = "Pod",
            ["namespace"] = JsonFields.Text(pod, "metadata", "namespace"),
            ["name"] = JsonFields.Text(pod, "metadata", "name"),
            ["uid"] = JsonFields.Text(pod, "metadata", "uid"),
        };
        if (JsonFields.Text(pod, "spec", "nodeName") is { Length: > 0 } node)
        {
            endpoint["nodeName"] = node;
        }

        return endpoint;
    }

    /// <summary>
    /// utils.go getEndpointPorts: a headless Service without ports has none; otherwise one per Service port
    /// whose target port resolves (FindPort: a number as it is, a name against the containers' ports of
    /// the same name and protocol; unresolved ports are left out). The protocol defaults to TCP, as the
    /// API server defaults a Service port's (the fake does not default Services).
    /// </summary>
    private static JsonArray EndpointPorts(JsonObject service, JsonObject pod)
    {
        var result = new JsonArray();
        foreach (var port in (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var protocol = JsonFields.Text(port, "protocol") ?? "TCP";
            int? number = port["targetPort"] switch
            {
                JsonValue v when v.TryGetValue<int>(out var n) => n,
                JsonValue v when v.TryGetValue<string>(out var portName) => (pod["spec"]?["containers"] as JsonArray ?? [])
                    .SelectMany(c => c?["ports"] as JsonArray ?? []).OfType<JsonObject>()
                    .Where(p => JsonFields.Text(p, "name") == portName && (JsonFields.Text(p, "protocol") ?? "TCP") == protocol)
                    .Select(p => (int?)p["containerPort"]?.GetValue<int>())
                    .FirstOrDefault(),

                // Defaulted by the API server: targetPort = port.
                null => port["port"]?.GetValue<int>(),
                _ => null,
            };
            if (number is not { } resolved)
            {
                continue;
            }

            var entry = new JsonObject
            {
                ["name"] = JsonFields.Text(port, "name") ?? "",
                ["protocol"] = protocol,
                ["port"] = resolved,
            };
            if (JsonFields.Text(port, "appProtocol") is { } appProtocol)
            {
                entry["appProtocol"] = appProtocol;
            }

            result.Add(entry);
        }

        return result;
    }

    /// <summary>
    /// utils.go setEndpointSliceLabels: the Service's labels but the reserved ones, the headless label when
    /// the Service has no cluster IP (the fake allocates none, so only <c>clusterIP: None</c> counts), the
    /// service name and managed-by.
    /// </summary>
    private static JsonObject Labels(JsonObject service)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in service["metadata"]?["labels"] as JsonObject ?? [])
        {
            if (key is not (ServiceNameLabel or ManagedByLabel or HeadlessLabel))
            {
                labels[key] = value?.DeepClone();
            }
        }

        if (JsonFields.Text(service, "spec", "clusterIP") == "None")
        {
            labels[HeadlessLabel] = "";
        }

        labels[ServiceNameLabel] = JsonFields.Text(service, "metadata", "name");
        labels[ManagedByLabel] = ControllerName;
        return labels;
    }

    /// <summary>utils.go newEndpointSlice: generateName "{service}-", the controller reference to the Service.</summary>
    private void Create(JsonObject service, JsonArray ports, JsonArray endpoints)
    {
        var name = JsonFields.Text(service, "metadata", "name") ?? "";
        var @namespace = JsonFields.Text(service, "metadata", "namespace") ?? "";
        var slice = new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["metadata"] = new JsonObject
            {
                ["generateName"] = $"{name}-",
                ["namespace"] = @namespace,
                ["labels"] = Labels(service),
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Service",
                    ["name"] = name,
                    ["uid"] = JsonFields.Text(service, "metadata", "uid"),
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                }),
            },
            ["addressType"] = "IPv4",
            ["endpoints"] = endpoints.DeepClone(),
            ["ports"] = ports.DeepClone(),
        };
        Try(() => api.Writer.Create(api.Kinds.Find(ResourceType.EndpointSlices)!, @namespace, slice, Manager, dryRun: false));
    }

    private void Remove(string @namespace, JsonObject slice) =>
        api.Delete(ResourceType.EndpointSlices, @namespace, JsonFields.Text(slice, "metadata", "name") ?? "");

    /// <summary>A write that fails because the namespace is going away is dropped, as the controller would retry into nothing.</summary>
    private static void Try(Action write)
    {
        try
        {
            write();
        }
        catch (ApiStatusException e) when (e.Code == HttpStatusCode.NotFound)
        {
        }
        catch (InvalidOperationException e) when (e.InnerException is ApiStatusException { Code: HttpStatusCode.NotFound })
        {
        }
    }
}
