using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>Lists and watches through KubernetesClient's list and watch methods.</summary>
public sealed class ListWatchTests
{
    [Fact]
    public async Task A_watch_from_a_lists_resourceVersion_gets_every_later_change_once_in_order()
    {
        await using var cluster = await StartAsync();
        await CreateAsync(cluster, "a");
        await CreateAsync(cluster, "b");
        var list = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Token);
        Assert.Equal("ConfigMapList", list.Kind);
        Assert.Equal(["a", "b"], list.Items.Select(i => i.Metadata.Name));

        // Changes after the list, before the watch starts: a watch from the list's version must replay them.
        await CreateAsync(cluster, "c");
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"v":"2"}}""", V1Patch.PatchType.MergePatch), "a", "default", cancellationToken: Token);
        await cluster.Client.CoreV1.DeleteNamespacedConfigMapAsync("b", "default", cancellationToken: Token);

        using var deadline = DeadlineToken();
        var seen = new ConcurrentQueue<(WatchEventType Type, string Name, string Version, string? Value)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, item) in cluster.Client.CoreV1.WatchListNamespacedConfigMapAsync(
                "default", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: deadline.Token))
            {
                seen.Enqueue((type, item.Metadata.Name, item.Metadata.ResourceVersion, (item.Data is { } data && data.TryGetValue("v", out var value) ? value : null)));
                if (seen.Count == 4)
                {
                    return;
                }
            }
        }, Token);
        await Eventually.TrueAsync(() => seen.Count == 3, Deadline, "The watch did not replay the changes made after the list.");
        await CreateAsync(cluster, "d");
        await watching.WaitAsync(Deadline, Token);

        Assert.Equal(
            [(WatchEventType.Added, "c", (string?)"1"), (WatchEventType.Modified, "a", "2"), (WatchEventType.Deleted, "b", "1"), (WatchEventType.Added, "d", "1")],
            seen.Select(e => (e.Type, e.Name, e.Value)));
        var versions = seen.Select(e => long.Parse(e.Version, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(versions.Order(), versions);
        Assert.True(versions[0] > long.Parse(list.Metadata.ResourceVersion, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_watch_without_a_resourceVersion_starts_with_the_objects_that_exist()
    {
        await using var cluster = await StartAsync();
        await CreateAsync(cluster, "first");
        await CreateAsync(cluster, "second");

        using var deadline = DeadlineToken();
        var seen = new List<(WatchEventType, string)>();
        await foreach (var (type, item) in cluster.Client.CoreV1.WatchListNamespacedConfigMapAsync("default", cancellationToken: deadline.Token))
        {
            seen.Add((type, item.Metadata.Name));
            if (seen.Count == 2)
            {
                break;
            }
        }

        Assert.Equal([(WatchEventType.Added, "first"), (WatchEventType.Added, "second")], seen);
    }

    [Fact]
    public async Task Label_selectors_filter_lists_and_watches_see_objects_move_in_and_out()
    {
        await using var cluster = await StartAsync();
        await CreateAsync(cluster, "broker-0", new() { ["app"] = "kafka", ["tier"] = "broker" });
        await CreateAsync(cluster, "broker-1", new() { ["app"] = "kafka", ["tier"] = "controller" });
        await CreateAsync(cluster, "other", new() { ["app"] = "else" });

        Assert.Equal(["broker-0"], await NamesAsync(cluster, "app=kafka,tier=broker"));
        Assert.Equal(["broker-0", "broker-1"], await NamesAsync(cluster, "app==kafka"));
        Assert.Equal(["broker-1", "other"], await NamesAsync(cluster, "tier!=broker"));
        Assert.Equal(["broker-0", "broker-1"], await NamesAsync(cluster, "tier in (broker, controller)"));
        Assert.Equal(["other"], await NamesAsync(cluster, "!tier"));

        var list = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: "tier=broker", cancellationToken: Token);
        using var deadline = DeadlineToken();
        var seen = new ConcurrentQueue<(WatchEventType, string)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, item) in cluster.Client.CoreV1.WatchListNamespacedConfigMapAsync(
                "default", labelSelector: "tier=broker", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: deadline.Token))
            {
                seen.Enqueue((type, item.Metadata.Name));
                if (seen.Count == 3)
                {
                    return;
                }
            }
        }, Token);
        await Relabel(cluster, "broker-1", "broker");
        await Relabel(cluster, "broker-0", "controller");
        await Relabel(cluster, "other", "none");
        await Relabel(cluster, "broker-1", "broker", extra: "changed");
        await watching.WaitAsync(Deadline, Token);

        Assert.Equal([(WatchEventType.Added, "broker-1"), (WatchEventType.Deleted, "broker-0"), (WatchEventType.Modified, "broker-1")], seen);
    }

    [Fact]
    public async Task Field_selectors_pick_by_name_and_namespace_across_namespaces()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "kafka" } }, cancellationToken: Token);
        foreach (var (ns, name) in new[] { ("default", "p1"), ("kafka", "p1"), ("kafka", "p2") })
        {
            cluster.Api.Put(Parse($$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}"},"spec":{"containers":[{"name":"c","image":"i"}]}}"""));
        }

        var all = await cluster.Client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: Token);
        Assert.Equal(["default/p1", "kafka/p1", "kafka/p2"], all.Items.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}"));
        var inKafka = await cluster.Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "metadata.namespace=kafka", cancellationToken: Token);
        Assert.Equal(["p1", "p2"], inKafka.Items.Select(p => p.Metadata.Name));
        var named = await cluster.Client.CoreV1.ListNamespacedPodAsync("kafka", fieldSelector: "metadata.name=p2", cancellationToken: Token);
        Assert.Equal("p2", Assert.Single(named.Items).Metadata.Name);

        var unsupported = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CoreV1.ListNamespacedPodAsync("kafka", fieldSelector: "spec.nodeName=n1", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.BadRequest, unsupported.Response.StatusCode);
    }

    [Fact]
    public async Task Custom_resources_list_across_namespaces()
    {
        await using var cluster = await StartAsync();
        await Strimzi.ApplyDefinitionAsync(cluster.Client, "Kafka", "kafkas");
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "kafka" } }, cancellationToken: Token);
        await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("one", "default"), "test");
        await Strimzi.ApplyAsync(cluster.Client, Strimzi.Kafka("two", "kafka"), "test");

        var list = Json(await cluster.Client.CustomObjects.ListClusterCustomObjectAsync(Strimzi.Group, Strimzi.Version, "kafkas", cancellationToken: Token));

        Assert.Equal("KafkaList", list["kind"]!.GetValue<string>());
        Assert.Equal("kafka.strimzi.io/v1", list["apiVersion"]!.GetValue<string>());
        Assert.Equal(cluster.Api.ResourceVersion.ToString(CultureInfo.InvariantCulture), list["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal(["default/one", "kafka/two"], list["items"]!.AsArray().Select(i => $"{i!["metadata"]!["namespace"]}/{i["metadata"]!["name"]}"));
    }

    [Fact]
    public async Task A_list_pages_with_limit_and_continue()
    {
        await using var cluster = await StartAsync();
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            await CreateAsync(cluster, name);
        }

        var names = new List<string>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2, continueParameter: next, cancellationToken: Token);
            names.AddRange(page.Items.Select(i => i.Metadata.Name));
            next = page.Metadata.ContinueProperty;
            pages++;
        }
        while (!string.IsNullOrEmpty(next));

        Assert.Equal(["a", "b", "c", "d", "e"], names);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task The_deprecated_watch_path_with_a_name_watches_that_object()
    {
        await using var cluster = await StartAsync();
        await CreateAsync(cluster, "wanted");
        await CreateAsync(cluster, "other");

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.Client.BaseUri, "api/v1/watch/namespaces/default/configmaps/wanted?timeoutSeconds=1"));
        using var response = await cluster.SendAsync(request);
        var lines = (await response.Content.ReadAsStringAsync(Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var only = Parse(Assert.Single(lines));
        Assert.Equal("ADDED", only["type"]!.GetValue<string>());
        Assert.Equal("wanted", only["object"]!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_watch_ends_after_its_timeoutSeconds_and_when_the_client_leaves()
    {
        await using var cluster = await StartAsync();
        await CreateAsync(cluster, "existing");

        using var deadline = DeadlineToken();
        var events = 0;
        await foreach (var _ in cluster.Client.CoreV1.WatchListNamespacedConfigMapAsync("default", timeoutSeconds: 1, cancellationToken: deadline.Token))
        {
            events++;
        }

        Assert.False(deadline.IsCancellationRequested, "The watch did not end by itself.");
        Assert.Equal(1, events);

        using (var leaving = DeadlineToken())
        {
            await foreach (var _ in cluster.Client.CoreV1.WatchListNamespacedConfigMapAsync("default", cancellationToken: leaving.Token))
            {
                break;
            }
        }

        await Eventually.TrueAsync(
            () => cluster.Api.Requests.Where(r => r.Query.Contains("watch=true", StringComparison.Ordinal)).All(r => r.StatusCode is not null),
            Deadline, "The fake kept a watch open after its client left.");
    }

    [Fact]
    public async Task A_watch_from_a_version_older_than_the_history_gets_410_Expired()
    {
        await using var cluster = await StartAsync(new FakeKubernetesOptions { WatchHistoryLimit = 3 });
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            await CreateAsync(cluster, name);
        }

        using var deadline = DeadlineToken();
        var errors = new List<Exception>();
        var events = 0;
        await foreach (var _ in cluster.Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: "1", onError: errors.Add, cancellationToken: deadline.Token))
        {
            events++;
        }

        Assert.Equal(0, events);
        var expired = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, expired.Status.Code);
        Assert.Equal("Expired", expired.Status.Reason);
    }

    private static async Task CreateAsync(FakeCluster cluster, string name, Dictionary<string, string>? labels = null) =>
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, Labels = labels }, Data = new Dictionary<string, string> { ["v"] = "1" } },
            "default", cancellationToken: Token);

    private static async Task<string[]> NamesAsync(FakeCluster cluster, string labelSelector) =>
        (await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: labelSelector, cancellationToken: Token)).Items.Select(i => i.Metadata.Name).ToArray();

    private static Task<V1ConfigMap> Relabel(FakeCluster cluster, string name, string tier, string extra = "") =>
        cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch($$$"""{"metadata":{"labels":{"tier":"{{{tier}}}"}},"data":{"extra":"{{{extra}}}"}}""", V1Patch.PatchType.MergePatch), name, "default", cancellationToken: Token);
}
