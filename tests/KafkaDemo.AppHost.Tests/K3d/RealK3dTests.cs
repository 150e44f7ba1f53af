using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// The whole app on a real k3d cluster with real Strimzi and Kafka. Needs Docker and k3d, so it
/// runs only when asked: <c>KAFKADEMO_E2E=k3d dotnet test --project tests/KafkaDemo.AppHost.Tests
/// -c Release -- --filter-class '*RealK3dTests'</c>. Each test creates its own cluster
/// (kafkademo-e2e, kafkademo-e2e-agent) and deletes it at the end. The agent round also needs an
/// LLM key in <c>KAFKADEMO_LLM_API_KEY</c> (and a model in <c>KAFKADEMO_LLM_MODEL</c> if not
/// vibectl's default).
/// </summary>
public sealed class RealK3dTests
{
    public const string Variable = "KAFKADEMO_E2E";

    public const string LlmKeyVariable = "KAFKADEMO_LLM_API_KEY";

    public const string LlmModelVariable = "KAFKADEMO_LLM_MODEL";

    private const string Cluster = "kafkademo-e2e";

    private const string AgentCluster = "kafkademo-e2e-agent";

    private const string PlacementCluster = "kafkademo-e2e-placement";

    private static readonly string SkipReason =
        $"Runs against real Docker and k3d only when {Variable}=k3d (it creates and deletes its own k3d cluster; the first run pulls about 1.5 GB of images).";

    [Fact]
    public async Task On_a_real_k3d_cluster_messages_are_verified_end_to_end()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable(Variable) == "k3d", SkipReason);
        var kubectl = ExternalTool.Find("kubectl") ?? throw new InvalidOperationException($"{Variable}=k3d needs kubectl on PATH, to check the written kubeconfig by hand.");
        using var test = K3dTestApp.Create(Cluster);
        var output = TestContext.Current.TestOutputHelper!;
        try
        {
            using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(25));
            await using var builder = await test.BuilderAsync("--KafkaDemo:K3d:DeleteOnExit=true", "--KafkaDemo:Rate=2000", "--KafkaDemo:Controller:Enabled=false");
            await using var app = await builder.BuildAsync(startup.Token);
            await app.StartAsync(startup.Token);
            var kafka = await app.ResourceNotifications.WaitForResourceAsync("kafka",
                e => e.Snapshot.State?.Text is "Running" or "FailedToStart", startup.Token);
            Assert.True(kafka.Snapshot.State?.Text == "Running", "Kafka did not come up; see the kafka and k3d resources' logs in the test output.");

            using var consumer = app.CreateHttpClient("consumer");
            ConsumerStats? stats = null;
            await Eventually.TrueAsync(async () =>
            {
                stats = await consumer.GetFromJsonAsync<ConsumerStats>("/api/stats", startup.Token);
                return stats is { Verified: >= 10_000 };
            }, TimeSpan.FromMinutes(10), "Fewer than 10,000 messages were verified within 10 minutes.");

            output.WriteLine($"verified {stats!.Verified}, integrity failures {stats.IntegrityFailures.Total}, gaps {stats.Gaps}, duplicates {stats.Duplicates}, "
                + $"p50 {stats.LatencyMs.SinceStart.P50:F1} ms, p99 {stats.LatencyMs.SinceStart.P99:F1} ms");
            Assert.Equal(0, stats.IntegrityFailures.Total);
            Assert.Equal(0, stats.Gaps);
            Assert.True(stats.LatencyMs.SinceStart.P99 > 0, "No p99 latency was measured.");

            var (exitCode, text, error) = await ExternalTool.RunAsync(kubectl, ["--kubeconfig", test.KubeconfigPath, "get", "kafka", "-n", "kafka"]);
            output.WriteLine(text);
            Assert.True(exitCode == 0, error);
            Assert.Contains("kafkademo", text, StringComparison.Ordinal);

            // The Overseer's kubeconfig holds its own service account, whose Roles grant its calls
            // and nothing else (kubectl auth can-i: a SelfSubjectAccessReview, exit code 0 for yes, 1 for
            // no; "kafkas/kafkademo" is a resource and its name, a subresource needs --subresource).
            foreach (var (question, allowed) in new (string[], bool)[]
            {
                (["patch", "kafkas/kafkademo", "-n", "kafka"], true),
                (["get", "pods", "--subresource=proxy", "-n", "kafka"], true),
                (["get", "pods", "--subresource=exec", "-n", "kafkademo-agent"], true),
                (["get", "secrets", "-n", "kafka"], false),
                (["patch", "kafkanodepools/dual", "-n", "kafka"], false),
                (["patch", "kafkatopics/orders", "-n", "kafka"], false),
                (["get", "pods", "--subresource=exec", "-n", "kafka"], false),
                (["get", "secrets", "-n", "kafkademo-agent"], false),
            })
            {
                var (code, answer, _) = await ExternalTool.RunAsync(kubectl, ["--kubeconfig", test.OverseerKubeconfigPath, "auth", "can-i", .. question]);
                Assert.True((code == 0) == allowed, $"kubectl auth can-i {string.Join(' ', question)} as the Overseer: {answer.Trim()}");
            }
        }
        finally
        {
            await DeleteClusterAsync(Cluster);
        }
    }

    [Fact]
    public async Task On_a_real_k3d_cluster_one_real_agent_round_writes_memory_and_runs_vibectl_auto()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable(Variable) == "k3d", SkipReason);
        var key = Environment.GetEnvironmentVariable(LlmKeyVariable);
        Assert.SkipWhen(string.IsNullOrWhiteSpace(key), $"A real agent round needs an LLM key in {LlmKeyVariable} (and {LlmModelVariable} for a model other than vibectl's default).");
        var kubectl = ExternalTool.Find("kubectl") ?? throw new InvalidOperationException($"{Variable}=k3d needs kubectl on PATH, to read the agent's memory by hand.");
        using var test = K3dTestApp.Create(AgentCluster);
        var output = TestContext.Current.TestOutputHelper!;
        try
        {
            using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(40));
            string[] model = Environment.GetEnvironmentVariable(LlmModelVariable) is { Length: > 0 } name ? [$"--Parameters:llm-model={name}"] : [];
            await using var builder = await test.BuilderAsync(
                ["--KafkaDemo:K3d:DeleteOnExit=true", "--KafkaDemo:Rate=2000", $"--Parameters:llm-api-key={key}", .. model]);
            await using var app = await builder.BuildAsync(startup.Token);
            await app.StartAsync(startup.Token);
            var vibectl = await app.ResourceNotifications.WaitForResourceAsync("vibectl",
                e => e.Snapshot.State?.Text is "Running" or "FailedToStart", startup.Token);
            Assert.True(vibectl.Snapshot.State?.Text == "Running", "The agent did not come up; see the vibectl, kafka and k3d resources' logs in the test output.");
            await app.ResourceNotifications.WaitForResourceHealthyAsync("overseer", startup.Token);
            using var overseer = app.CreateHttpClient("overseer");
            overseer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestApp.ControlToken);

            // Run one now; 409 means the first scheduled round has just begun, which serves as well.
            var run = await overseer.PostAsync("/api/agent/run", null, startup.Token);
            Assert.True(run.StatusCode is System.Net.HttpStatusCode.Accepted or System.Net.HttpStatusCode.Conflict,
                $"POST /api/agent/run answered {(int)run.StatusCode}: {await run.Content.ReadAsStringAsync(startup.Token)}");
            AgentSummary? agent = null;
            await Eventually.TrueAsync(async () =>
            {
                agent = (await overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", startup.Token))!.Agent;
                return agent.LastRun is { Result: not null };
            }, TimeSpan.FromMinutes(15), "No agent round ended within 15 minutes.");

            var document = (await overseer.GetFromJsonAsync<AgentDocument>("/api/agent", startup.Token))!;
            output.WriteLine("Memory the Overseer wrote:\n" + document.MemoryAfter);
            output.WriteLine("Round output:\n" + string.Join('\n', document.Rounds.Single(r => r.Round == agent!.LastRun!.Round).Lines.Select(l => $"{l.Stream,-8} {l.Kind,-15} {l.Text}")));
            Assert.True(agent!.LastRun!.Result == "ok", $"The round {agent.LastRun.Result} (exit code {agent.LastRun.ExitCode}): {agent.LastRun.Reason}");
            Assert.DoesNotContain(key!, string.Join('\n', document.Rounds.SelectMany(r => r.Lines).Select(l => l.Text)), StringComparison.Ordinal);

            // The memory in the pod, read with the admin kubeconfig: the Overseer's block is there.
            var (exitCode, shown, error) = await ExternalTool.RunAsync(kubectl,
                ["--kubeconfig", test.KubeconfigPath, "exec", "-n", "kafkademo-agent", "deploy/vibectl", "--", "vibectl", "memory", "show"]);
            output.WriteLine(shown);
            Assert.True(exitCode == 0, error);
            Assert.Contains("<overseer>", shown, StringComparison.Ordinal);
        }
        finally
        {
            await DeleteClusterAsync(AgentCluster);
        }
    }

    [Fact]
    public async Task On_a_real_k3d_cluster_with_Placement_cluster_the_pods_verify_messages_and_the_Overseer_follows_a_scale()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable(Variable) == "k3d", SkipReason);
        using var test = K3dTestApp.Create(PlacementCluster);
        var output = TestContext.Current.TestOutputHelper!;
        try
        {
            // The service images are built with Docker from the repository root and imported (a first
            // build pulls the .NET SDK and ASP.NET images and restores every package: minutes).
            using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(40));
            await using var builder = await test.BuilderAsync(
                "--KafkaDemo:K3d:DeleteOnExit=true", "--KafkaDemo:Placement=cluster", "--KafkaDemo:Producers=1", "--KafkaDemo:Consumers=1",
                "--KafkaDemo:Rate=2000", "--KafkaDemo:Controller:Enabled=false");
            await using var app = await builder.BuildAsync(startup.Token);
            await app.StartAsync(startup.Token);
            foreach (var deployment in new[] { "producer", "consumer" })
            {
                var state = await app.ResourceNotifications.WaitForResourceAsync(deployment,
                    e => e.Snapshot.State?.Text is "Running" or "FailedToStart", startup.Token);
                Assert.True(state.Snapshot.State?.Text == "Running", $"The {deployment} Deployment did not come up; see its resource's log (the pods' logs) in the test output.");
            }

            await app.ResourceNotifications.WaitForResourceHealthyAsync("overseer", startup.Token);
            using var overseer = app.CreateHttpClient("overseer");
            overseer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestApp.ControlToken);

            // The Overseer on the host finds the pods from the EndpointSlices and polls them through the
            // API server's pod proxy, as its own service account.
            OverseerSummary? summary = null;
            await Eventually.TrueAsync(async () =>
            {
                summary = await overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", startup.Token);
                return summary is { Consumer.Verified: >= 10_000 };
            }, TimeSpan.FromMinutes(10), "Fewer than 10,000 messages were verified by the consumer pod within 10 minutes.");
            output.WriteLine($"verified {summary!.Consumer.Verified}, gaps {summary.Consumer.Gaps}, duplicates {summary.Consumer.Duplicates}, instances "
                + string.Join(", ", summary.Instances.Select(i => $"{i.Role} {i.Name} {i.State} {i.Address}")));
            Assert.Equal(0, summary.Consumer.IntegrityFailures);
            Assert.Equal(0, summary.Consumer.Gaps);
            Assert.All(summary.Instances, i => Assert.StartsWith(i.Role + "-", i.Name, StringComparison.Ordinal));

            // Scale the producers up with the dashboard's command; the Overseer follows the new pod.
            var up = await app.ResourceCommands.ExecuteCommandAsync("producer", "scale-up", startup.Token);
            Assert.True(up.Success, up.Message);
            await Eventually.TrueAsync(async () =>
            {
                summary = await overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", startup.Token);
                return summary!.Instances.Count(i => i.Role == "producer" && i.State == "healthy") == 2;
            }, TimeSpan.FromMinutes(5), "The Overseer did not find a second healthy producer pod within 5 minutes of the scale-up.");
            output.WriteLine("after scale-up: " + string.Join(", ", summary!.Instances.Select(i => $"{i.Role} {i.Name} {i.State}")));
        }
        finally
        {
            await DeleteClusterAsync(PlacementCluster);
        }
    }

    /// <summary>DeleteOnExit deleted it when the app stopped; make sure, even after a failure.</summary>
    private static async Task DeleteClusterAsync(string cluster)
    {
        if (ExternalTool.Find("k3d") is { } k3d)
        {
            await ExternalTool.RunAsync(k3d, ["cluster", "delete", cluster], timeout: TimeSpan.FromMinutes(3));
            var (_, clusters, _) = await ExternalTool.RunAsync(k3d, ["cluster", "list", "-o", "json"]);
            Assert.DoesNotContain($"\"name\":\"{cluster}\"", clusters, StringComparison.Ordinal);
        }
    }
}
