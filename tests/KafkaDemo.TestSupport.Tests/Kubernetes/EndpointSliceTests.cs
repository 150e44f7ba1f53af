using System.Threading.Channels;
using k8s;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;
using static KafkaDemo.TestSupport.Tests.Kubernetes.Workloads;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>
/// EndpointSlices (discovery.k8s.io/v1) as the fake's EndpointSlice controller writes them for a headless
/// Service, read and watched the way the Overseer's discovery reads them: ListNamespacedEndpointSliceAsync with
/// the service-name label, and the same with watch.
/// </summary>
public sealed class EndpointSliceTests
{
    private const string ServiceNameLabel = "kubernetes.io/service-name";

    [Fact]
    public async Task A_headless_service_gets_one_slice_listing_each_pod_with_its_ip_target_node_and_resolved_port()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controllers = cluster.Api.DeploymentsRunPods();
        var service = await cluster.Client.CoreV1.CreateNamespacedServiceAsync(HeadlessService("web"), Namespace, cancellationToken: Token);
        await CreateAsync(cluster, WithPort(Deployment("web", Spec(Container()), replicas: 2)));
        var pods = await PodsAsync(cluster, "web", p => p.Count == 2 && p.All(IsReady), "Two ready pods never came.");

        var slice = await SliceAsync(cluster, "web", s => s.Endpoints?.Count == 2 && s.Endpoints.All(e => e.Conditions.Ready == true), "The slice never listed both ready pods.");

        Assert.StartsWith("web-", slice.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal("web-", slice.Metadata.GenerateName);
        Assert.Equal("IPv4", slice.AddressType);
        Assert.Equal("web", slice.Metadata.Labels[ServiceNameLabel]);
        Assert.Equal("endpointslice-controller.k8s.io", slice.Metadata.Labels["endpointslice.kubernetes.io/managed-by"]);
        Assert.Equal("", slice.Metadata.Labels["service.kubernetes.io/headless"]);
        Assert.Equal("kafkademo", slice.Metadata.Labels["app.kubernetes.io/part-of"]);
        var owner = Assert.Single(slice.Metadata.OwnerReferences);
        Assert.Equal(("v1", "Service", "web", service.Metadata.Uid, true, true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
        var port = Assert.Single(slice.Ports);
        Assert.Equal(("http", 8080, "TCP"), (port.Name, port.Port, port.Protocol));
        foreach (var pod in pods)
        {
            var endpoint = Assert.Single(slice.Endpoints, e => e.TargetRef.Name == pod.Metadata.Name);
            Assert.Equal([pod.Status.PodIP], endpoint.Addresses);
            Assert.Equal(("Pod", Namespace, pod.Metadata.Uid), (endpoint.TargetRef.Kind, endpoint.TargetRef.NamespaceProperty, endpoint.TargetRef.Uid));
            Assert.Equal("fake-node", endpoint.NodeName);
            Assert.Equal((true, true, false), (endpoint.Conditions.Ready, endpoint.Conditions.Serving, endpoint.Conditions.Terminating));
        }

        // Discovery serves the kind, so kubectl and the client find it.
        using var discovery = await cluster.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.Api.BaseAddress, "apis/discovery.k8s.io/v1")));
        var resources = KubernetesJson.Deserialize<V1APIResourceList>(await discovery.Content.ReadAsStringAsync(Token));
        Assert.Contains(resources.Resources, r => r.Name == "endpointslices" && r.Kind == "EndpointSlice" && r.Namespaced);
    }

    [Fact]
    public async Task A_watch_sees_the_slice_follow_a_scale_a_deleted_pod_and_the_service_going()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controllers = cluster.Api.DeploymentsRunPods();
        await cluster.Client.CoreV1.CreateNamespacedServiceAsync(HeadlessService("web"), Namespace, cancellationToken: Token);
        await CreateAsync(cluster, WithPort(Deployment("web", Spec(Container()), replicas: 1)));
        await SliceAsync(cluster, "web", s => s.Endpoints?.Count(e => e.Conditions.Ready == true) == 1, "One ready endpoint never came.");

        using var deadline = DeadlineToken();
        var events = Channel.CreateUnbounded<(WatchEventType Type, V1EndpointSlice Slice)>();
        var watching = Task.Run(
            async () =>
            {
                // As the Overseer's discovery watches: List...WithHttpMessagesAsync(watch: true) underneath.
                await foreach (var (type, item) in cluster.Client.DiscoveryV1.WatchListNamespacedEndpointSliceAsync(
                    Namespace, labelSelector: $"{ServiceNameLabel}=web", cancellationToken: deadline.Token))
                {
                    await events.Writer.WriteAsync((type, item), deadline.Token);
                }
            },
            deadline.Token);

        async Task<V1EndpointSlice> NextAsync(Func<WatchEventType, V1EndpointSlice, bool> wanted, string because)
        {
            while (true)
            {
                try
                {
                    var (type, slice) = await events.Reader.ReadAsync(deadline.Token);
                    if (wanted(type, slice))
                    {
                        return slice;
                    }
                }
                catch (OperationCanceledException)
                {
                    Assert.Fail(because);
                    throw;
                }
            }
        }

        var first = await NextAsync((t, _) => t == WatchEventType.Added, "The watch did not start with the existing slice.");
        await cluster.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "web", Namespace, cancellationToken: Token);
        var three = await NextAsync((t, s) => t == WatchEventType.Modified && s.Endpoints?.Count(e => e.Conditions.Ready == true) == 3, "The watch never saw three ready endpoints.");
        Assert.Equal(first.Metadata.Name, three.Metadata.Name);

        var gone = three.Endpoints[0].TargetRef.Name;
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(gone, Namespace, cancellationToken: Token);
        var replaced = await NextAsync(
            (t, s) => t == WatchEventType.Modified && s.Endpoints?.Count(e => e.Conditions.Ready == true) == 3 && s.Endpoints.All(e => e.TargetRef.Name != gone),
            "The watch never saw the deleted pod replaced.");
        Assert.Equal(3, replaced.Endpoints.Select(e => e.Addresses[0]).Distinct().Count());

        await cluster.Client.CoreV1.DeleteNamespacedServiceAsync("web", Namespace, cancellationToken: Token);
        await NextAsync((t, s) => t == WatchEventType.Deleted && s.Metadata.Name == first.Metadata.Name, "The slice did not go with its Service.");
        await deadline.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
    }

    [Fact]
    public async Task Unready_pods_are_listed_not_ready_unless_the_service_publishes_them_and_no_pods_give_a_placeholder()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controllers = cluster.Api.EndpointSlicesFollowServices();
        await cluster.Client.CoreV1.CreateNamespacedServiceAsync(HeadlessService("web"), Namespace, cancellationToken: Token);
        var placeholder = await SliceAsync(cluster, "web", s => true, "No placeholder slice came.");
        Assert.Empty(placeholder.Endpoints ?? []);
        Assert.Empty(placeholder.Ports ?? []);

        cluster.Api.Put(Parse($$$"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0","namespace":"{{{Namespace}}}","labels":{"app":"web"}},
             "spec":{"nodeName":"fake-node","containers":[{"name":"app","image":"x","ports":[{"name":"http","containerPort":8080}]}]},
             "status":{"phase":"Running","podIP":"10.42.0.9","podIPs":[{"ip":"10.42.0.9"}],"conditions":[{"type":"Ready","status":"False"}]}}
            """));
        var unready = await SliceAsync(cluster, "web", s => s.Endpoints?.Count == 1, "The unready pod was not listed.");
        Assert.Equal((false, false, false), (unready.Endpoints[0].Conditions.Ready, unready.Endpoints[0].Conditions.Serving, unready.Endpoints[0].Conditions.Terminating));
        Assert.Equal(placeholder.Metadata.Name, unready.Metadata.Name);

        await cluster.Client.CoreV1.PatchNamespacedServiceAsync(new V1Patch("""{"spec":{"publishNotReadyAddresses":true}}""", V1Patch.PatchType.MergePatch), "web", Namespace, cancellationToken: Token);
        var published = await SliceAsync(cluster, "web", s => s.Endpoints?.SingleOrDefault()?.Conditions.Ready == true, "publishNotReadyAddresses did not make the endpoint ready.");
        Assert.False(published.Endpoints[0].Conditions.Serving);
    }

    [Fact]
    public async Task Rbac_decides_on_endpointslices_in_the_discovery_group()
    {
        var (cluster, token) = await Rbac.StartAsync();
        await using var _ = cluster;
        using var client = cluster.ClientFor(token);
        var refused = await Rbac.ForbiddenMessageAsync(() => client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Rbac.Namespace, cancellationToken: Token));
        Assert.Equal($"endpointslices.discovery.k8s.io is forbidden: User \"{Rbac.UserName}\" cannot list resource \"endpointslices\" in API group \"discovery.k8s.io\" in the namespace \"{Rbac.Namespace}\"", refused);

        Rbac.Grant(cluster.Api, "slices", """[{"apiGroups":["discovery.k8s.io"],"resources":["endpointslices"],"verbs":["list","watch"]}]""");
        var list = await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Rbac.Namespace, labelSelector: $"{ServiceNameLabel}=producer", cancellationToken: Token);
        Assert.Empty(list.Items);
    }

    private static V1Service HeadlessService(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "kafkademo" } },
        Spec = new V1ServiceSpec
        {
            ClusterIP = "None",
            Selector = new Dictionary<string, string> { ["app"] = name },
            Ports = [new V1ServicePort { Name = "http", Port = 8080, TargetPort = "http" }],
        },
    };

    private static V1Deployment WithPort(V1Deployment deployment)
    {
        deployment.Spec.Template.Spec.Containers[0].Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }];
        return deployment;
    }

    private static async Task<V1EndpointSlice> SliceAsync(FakeCluster cluster, string service, Func<V1EndpointSlice, bool> done, string because)
    {
        IList<V1EndpointSlice> slices = [];
        await Eventually.TrueAsync(
            async () =>
            {
                slices = (await cluster.Client.DiscoveryV1.ListNamespacedEndpointSliceAsync(Namespace, labelSelector: $"{ServiceNameLabel}={service}", cancellationToken: Token)).Items;
                return slices.Count == 1 && done(slices[0]);
            },
            Deadline,
            () => $"{because} Slices: {KubernetesJson.Serialize(slices)}");
        return slices[0];
    }
}
