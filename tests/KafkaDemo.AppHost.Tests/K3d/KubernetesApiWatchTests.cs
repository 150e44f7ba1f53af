using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// A watch the API server ends at its <c>timeoutSeconds</c> without one event (nothing changed) is the
/// normal end of a quiet watch, not a failure: KubernetesApi reads and watches again, and a later
/// change still arrives. KubernetesClient surfaces that end as an HttpRequestException
/// (QuietWatchEnd); before, it reached the callers, and a quiet Deployment showed "Watch lost" once a minute.
/// </summary>
public sealed class KubernetesApiWatchTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_watch_that_ends_without_an_event_is_watched_again_and_a_later_change_still_arrives()
    {
        await using var fake = await FakeKubernetesApi.StartAsync(cancellationToken: Token);
        using var api = new KubernetesApi(fake.CreateClient()) { WatchSeconds = 1 };
        await api.ApplyAsync(Namespace("waiting"), Token);

        var reads = 0;
        var waiting = api.WaitForAsync(
            ApiKinds.Namespace, null, "quiet-watch", n => (string?)n?["metadata"]?["labels"]?["state"] == "done", _ => Interlocked.Increment(ref reads), Token);

        // Three watches end quietly, one after the other; none of them fails the wait.
        await Eventually.TrueAsync(() => Watches(fake) >= 3 || waiting.IsCompleted, TimeSpan.FromSeconds(30), "The watch was not opened again after it ended quietly.");
        Assert.False(waiting.IsCompleted, waiting.Exception?.ToString() ?? "The wait ended although nothing changed.");
        Assert.True(Volatile.Read(ref reads) >= 3, $"The object was read {reads} times; each quiet end should read it again.");

        await api.ApplyAsync(Namespace("done"), Token);
        var done = await waiting.WaitAsync(TimeSpan.FromSeconds(30), Token);
        Assert.Equal("done", (string?)done["metadata"]?["labels"]?["state"]);
    }

    private static int Watches(FakeKubernetesApi fake) =>
        fake.Requests.Count(r => r.Path == "/api/v1/namespaces" && r.Query.Contains("watch=true", StringComparison.Ordinal));

    private static JsonObject Namespace(string state) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = "quiet-watch", ["labels"] = new JsonObject { ["state"] = state } },
    };
}
