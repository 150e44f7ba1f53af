extern alias overseer;

using System.Text;
using System.Text.Json.Nodes;
using k8s;
using KafkaDemo.IntegrationTests.BrokerMetrics;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.AgentContainer;
using KafkaDemo.TestSupport.BrokerMetrics;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using overseer::KafkaDemo.Overseer.Agent;

namespace KafkaDemo.IntegrationTests.Agent;

/// <summary>
/// Issue 14, "a test for each defect 1 to 8": each test runs whole rounds through the Overseer's
/// agent loop against the agent's world (the emulated vibectl 0.11.6, llm 0.26 and the real
/// kubectl in the pod the repository's Deployment describes), first with the behaviour as it was
/// before the fix, where the round fails the way the real programs would fail it, then as shipped,
/// where it succeeds. One method per defect, named after it; each names its upstream evidence.
/// </summary>
public sealed class OldBehaviourTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>
    /// Defect 1, the key. Upstream: vibectl 0.11.6 model_adapter.py ModelEnvironment copies
    /// VIBECTL_ANTHROPIC_API_KEY into ANTHROPIC_API_KEY only inside its <c>with</c> block (execute),
    /// which has closed when llm 0.26 looks the key up as the response is read (models.py
    /// Response.__iter__ → get_key: "No key found"). Fix: k3d/agent/idle.sh writes llm's keys.json
    /// from the Secret mounted as a file.
    /// </summary>
    [Fact]
    public async Task Defect1_the_key_only_in_VIBECTL_ANTHROPIC_API_KEY_never_reaches_llm()
    {
        await using (var old = await AgentCluster.StartAsync(AgentCluster.Options() with { EditDeployment = AgentDeploymentEdits.KeyOnlyInVibectlVariables }, time: null))
        {
            var round = await RunRoundAsync(old);

            Assert.Equal(AgentRoundResult.Failed, round.Result);
            Assert.Equal(0, round.ExitCode);
            Assert.Equal("Error: Error executing vibe request: LLM Execution Error for model anthropic/claude-sonnet-4-6: "
                + "No key found - add one using 'llm keys set anthropic' or set the ANTHROPIC_API_KEY environment variable", round.Reason);
            Assert.Empty(old.World.Agent.Services.Requests);
        }

        await using var shipped = await AgentCluster.StartAsync();
        var ok = await RunRoundAsync(shipped);
        Assert.True(ok.Result == AgentRoundResult.Ok, ok.Reason);
        Assert.All(shipped.World.Agent.Services.Requests, r => Assert.Equal(AgentCluster.Options().LlmKey, r.Key));
    }

    /// <summary>
    /// Defect 2, the model. Upstream: vibectl 0.11.6 config.py DEFAULT_CONFIG llm.model
    /// "claude-3.7-sonnet", which llm-anthropic 0.25.1 register_models maps to
    /// claude-3-7-sonnet-latest; Anthropic answers a retired model 404 not_found_error (the stand-in's
    /// ModelServices serves the Claude 4.5 generation and later only: stricter than unconfirmed).
    /// The README's "claude-sonnet-4" is no name in 0.25.1 at all: refused before vibectl is told
    /// anything (<see cref="AgentRoundTests.A_model_llm_does_not_know_fails_the_round_before_vibectl_is_told_anything"/>).
    /// </summary>
    [Fact]
    public async Task Defect2_the_old_default_model_claude_3_7_sonnet_gets_the_providers_404()
    {
        await using (var old = await AgentCluster.StartAsync(true, "Overseer:Agent:Model=claude-3.7-sonnet"))
        {
            var round = await RunRoundAsync(old);

            Assert.Equal(AgentRoundResult.Failed, round.Result);
            Assert.Equal(0, round.ExitCode);
            Assert.Equal("Error: Error executing vibe request: LLM Execution Error for model anthropic/claude-3-7-sonnet-latest: Error code: 404 - "
                + "{'type': 'error', 'error': {'type': 'not_found_error', 'message': 'model: claude-3-7-sonnet-latest'}}", round.Reason);
        }

        await using var shipped = await AgentCluster.StartAsync();
        var ok = await RunRoundAsync(shipped);
        Assert.True(ok.Result == AgentRoundResult.Ok, ok.Reason);
        Assert.Equal("claude-sonnet-4.6", shipped.Vibectl.Config["llm.model"]);
    }

    /// <summary>
    /// Defect 3, exit codes lie. Upstream: vibectl 0.11.6 cli.py auto (and config_set) catch every
    /// error and call console.py handle_exception, which prints "Error: ..." and does not exit: the
    /// process exits 0. Here the provider refuses the key (401, anthropic _base_client.py raises
    /// AuthenticationError, not retried); a round judged by its exit code would be "ok". The same for
    /// a planner's ERROR action: <see cref="AgentRoundTests.A_round_whose_vibectl_prints_an_error_failed_with_that_line_though_vibectl_exited_0"/>.
    /// </summary>
    [Fact]
    public async Task Defect3_vibectl_exits_0_on_an_error_and_the_round_is_failed_with_its_error_line()
    {
        await using (var old = await AgentCluster.StartAsync())
        {
            old.World.Agent.Services.AnthropicKey = "sk-ant-another-key";
            var round = await RunRoundAsync(old);

            Assert.Equal(0, round.ExitCode);
            Assert.Equal(AgentRoundResult.Failed, round.Result);
            Assert.StartsWith("Error: Error executing vibe request: LLM Execution Error for model anthropic/claude-sonnet-4-6: Error code: 401 - ", round.Reason, StringComparison.Ordinal);
            Assert.Equal(round.Reason, round.Output.First(l => l.Kind == AgentLineKind.Error).Text);
        }

        await using var shipped = await AgentCluster.StartAsync();
        var ok = await RunRoundAsync(shipped);
        Assert.True(ok.Result == AgentRoundResult.Ok, ok.Reason);
        Assert.Equal(0, ok.ExitCode);
    }

    /// <summary>
    /// Defect 4, stdin open. Upstream: KubernetesClient 21.0.8 Kubernetes.WebSocket.cs
    /// MuxedStreamNamespacedPodExecAsync passes only tty on to WebSocketNamespacedPodExecAsync, whose
    /// stdin defaults to true; vibectl 0.11.6 execution/vibe.py _handle_command_confirmation asks
    /// through click.prompt for a command with a dangerous flag even in auto mode
    /// (security/response_validation.py), and with stdin open and silent it waits until the pod's
    /// timeout kills it. With stdin off (the shipped PodExecChannel) the prompt reads end-of-file,
    /// click raises Abort, and the round fails at once with vibectl's error line.
    /// </summary>
    [Fact]
    public async Task Defect4_with_stdin_open_a_confirmation_prompt_hangs_the_round_until_its_timeout()
    {
        var options = AgentCluster.Options() with
        {
            Programs = new AgentContainerOptions
            {
                Time = new FastForwardTime(),
                Model = new ScriptedModel { Planner = _ => ModelAnswer.Plan(PlannerAction.Command(["delete", "pod", "kafkademo-dual-0", "-n", "kafka", "--force"], "Restart the broker.")) },
            },
        };
        await using (var old = await AgentCluster.StartAsync(options, time: null, services: UseMuxedExec, "Overseer:Agent:RoundTimeoutSeconds=60"))
        {
            var round = await RunRoundAsync(old);

            Assert.True(old.Api.Execs[^1].Stdin);
            Assert.Equal(AgentRoundResult.TimedOut, round.Result);
            Assert.Equal(124, round.ExitCode);
            Assert.Contains(round.Output, l => l.Text == "[Y]es, [N]o, yes [A]nd, no [B]ut, or [M]emory? (y / n / a / b / m)");
        }

        await using var shipped = await AgentCluster.StartAsync(options, time: null, "Overseer:Agent:RoundTimeoutSeconds=60");
        var failed = await RunRoundAsync(shipped);
        Assert.False(shipped.Api.Execs[^1].Stdin);
        Assert.Equal(AgentRoundResult.Failed, failed.Result);
        Assert.Equal(0, failed.ExitCode);
        Assert.Equal("Error: Error in vibe command: Unexpected error in handle_vibe_request:", failed.Reason);
        Assert.DoesNotContain(shipped.Api.Requests, r => r.Method == "DELETE");
    }

    /// <summary>
    /// Defect 5, unpinned dependencies. Upstream: vibectl 0.11.6's pylock.toml at the tag pins its
    /// closure; pip resolves every requirement not listed to its newest release unless told
    /// <c>--no-deps</c>. A static check: the shipped k3d/agent/requirements.txt pins every package
    /// and the Dockerfile installs it with --no-deps; the list as first shipped (three pins and
    /// loose lines) fails the same check. (No round: what pip would resolve cannot run here.)
    /// </summary>
    [Fact]
    public void Defect5_every_python_package_is_pinned_and_installed_with_no_deps()
    {
        var requirements = File.ReadAllText(Path.Combine(SharedReference.RepositoryRoot, "k3d", "agent", "requirements.txt"));
        var dockerfile = File.ReadAllText(Path.Combine(SharedReference.RepositoryRoot, "k3d", "agent", "Dockerfile"));

        Assert.Empty(PythonPins.Problems(requirements, dockerfile));

        const string OldRequirements = "vibectl==0.11.6\nllm==0.26\nllm-anthropic==0.25.1\nrich\nasyncclick>=8.1\n";
        const string OldInstall = "RUN pip install --no-cache-dir -r /tmp/requirements.txt\n";
        Assert.Equal(
        [
            "'rich' is not name==version.",
            "'asyncclick>=8.1' is not name==version.",
            "The pip install line does not say --no-deps: RUN pip install --no-cache-dir -r /tmp/requirements.txt",
        ], PythonPins.Problems(OldRequirements, OldInstall));
    }

    /// <summary>
    /// Defect 6, the memory round trip. Upstream: vibectl 0.11.6 cli.py memory_show prints the memory
    /// through console.py (Rich markup: "[...]" that names a style is taken as markup and dropped);
    /// memory.py update_memory has the model rewrite the whole memory, which may drop the block's
    /// markers. Fix: the Overseer reads config.yaml exactly (config.py: ~/.config/vibectl/client/
    /// config.yaml, memory under "memory"), puts a lost block back and keeps the rest as the agent's
    /// notes. The exact read alone: <see cref="AgentRoundTests.Memory_is_read_exactly_as_stored_with_what_richs_rendering_would_change"/>.
    /// </summary>
    [Fact]
    public async Task Defect6_memory_show_strips_markup_and_a_rewrite_that_drops_the_markers_is_repaired()
    {
        const string Notes = "[bold]num.io.threads 16[/bold] was worse; [red] marks a saturated pool.";
        var options = AgentCluster.Options() with
        {
            Programs = new AgentContainerOptions
            {
                Time = new FastForwardTime(),
                // The model's memory rewrite keeps the notes and drops the Overseer's block.
                Model = new ScriptedModel { MemoryUpdate = _ => ModelAnswer.Text(Notes) },
            },
        };
        await using var cluster = await AgentCluster.StartAsync(options, time: null);

        var first = await RunRoundAsync(cluster);
        Assert.True(first.Result == AgentRoundResult.Ok, first.Reason);
        Assert.Equal(Notes, cluster.Vibectl.Memory);

        // What the Overseer first read back: memory show, through Rich, loses the bracketed words.
        var shown = await ExecAsync(cluster, ["env", "COLUMNS=10000", "vibectl", "memory", "show"]);
        Assert.DoesNotContain("[bold]", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("[red]", shown, StringComparison.Ordinal);

        var second = await RunRoundAsync(cluster);
        Assert.True(second.Result == AgentRoundResult.Ok, second.Reason);
        var memory = cluster.Vibectl.MemoryAtAuto.Last();
        Assert.StartsWith("<overseer>", memory, StringComparison.Ordinal);
        Assert.EndsWith("</overseer>\n" + Notes, memory, StringComparison.Ordinal);
    }

    /// <summary>
    /// Defect 7, OpenAI-compatible servers. Upstream: llm 0.26 default_plugins/openai_models.py
    /// register_models: an extra model without api_key_name has needs_key None, and _Shared.get_client
    /// sends the literal "DUMMY_KEY"; with api_key_name llm looks the key up (keys.json first,
    /// models.py get_key), and vibectl 0.11.6's ModelEnvironment.__exit__ deletes OPENAI_API_KEY for a
    /// model it cannot tie to a provider, so only keys.json works. A server that needs no key takes
    /// DUMMY_KEY, and the agent runs without a key at all.
    /// </summary>
    [Fact]
    public async Task Defect7_an_openai_compatible_server_gets_its_key_only_when_api_key_name_is_written()
    {
        const string Server = "http://host.k3d.internal:8000/v1";
        const string Key = "sk-local-server-key";
        const string Entry = $"- model_id: local-model\n  model_name: qwen2.5:7b\n  api_base: {Server}\n  supports_schema: true\n";
        const string KeyName = "  api_key_name: kafkademo-llm\n"; // KafkaDemo.AppHost Agent/AgentManifests.cs ServerKeyName

        await using (var old = await CompatibleAsync(Entry, Key, new CompatibleServer { RequiredKey = Key }))
        {
            var round = await RunRoundAsync(old);

            Assert.Equal(AgentRoundResult.Failed, round.Result);
            Assert.StartsWith("Error: Error executing vibe request: LLM Execution Error for model local-model: Error code: 401", round.Reason, StringComparison.Ordinal);
            Assert.All(old.World.Agent.Services.Requests, r => Assert.Equal("DUMMY_KEY", r.Key));
        }

        await using (var shipped = await CompatibleAsync(Entry + KeyName, Key, new CompatibleServer { RequiredKey = Key }))
        {
            var ok = await RunRoundAsync(shipped);
            Assert.True(ok.Result == AgentRoundResult.Ok, ok.Reason);
            Assert.NotEmpty(shipped.World.Agent.Services.Requests);
            Assert.All(shipped.World.Agent.Services.Requests, r => Assert.Equal((Server, Key), (r.Url, r.Key)));
        }

        await using var keyless = await CompatibleAsync(Entry, key: null, new CompatibleServer());
        var keylessRound = await RunRoundAsync(keyless);
        Assert.True(keylessRound.Result == AgentRoundResult.Ok, keylessRound.Reason);
        Assert.All(keyless.World.Agent.Services.Requests, r => Assert.Equal("DUMMY_KEY", r.Key));
    }

    /// <summary>
    /// Defect 8, RBAC. Upstream: Kubernetes' RBAC authorizer (plugin/pkg/auth/authorizer/rbac
    /// rbac.go, RuleAllows: resource "pods/proxy" must be granted by name, a subresource is not
    /// covered by "pods") and its 403 Status; kubectl get --raw prints it as "Error from server
    /// (Forbidden)". The old Role had no pods/proxy and let the agent patch kafkatopics; the shipped
    /// one grants GET on pods/proxy and only reads topics.
    /// </summary>
    [Fact]
    public async Task Defect8_the_old_role_forbids_the_brokers_metrics_and_the_new_one_forbids_changing_topics()
    {
        string[] metrics = ["get", "--raw", "/api/v1/namespaces/kafka/pods/kafkademo-dual-0:9404/proxy/metrics"];
        string[] patchTopic = ["patch", "kafkatopic", "orders", "-n", "kafka", "--type", "merge", "-p", "{\"spec\":{\"partitions\":12}}"];

        await using (var old = await RbacClusterAsync(metrics))
        {
            old.Api.Put(OldRole());
            var round = await RunRoundAsync(old);

            Assert.Equal(AgentRoundResult.Failed, round.Result);
            Assert.Equal("Error: Command failed with exit code 1: Error from server (Forbidden): pods \"kafkademo-dual-0:9404\" is forbidden: "
                + "User \"system:serviceaccount:kafkademo-agent:vibectl\" cannot get resource \"pods/proxy\" in API group \"\" in the namespace \"kafka\"", round.Reason);
        }

        await using (var shipped = await RbacClusterAsync(metrics))
        {
            var ok = await RunRoundAsync(shipped);
            Assert.True(ok.Result == AgentRoundResult.Ok, ok.Reason);
            var read = Assert.Single(shipped.World.Agent.Model.Calls.OfType<SummaryCall>());
            Assert.Contains("kafka_server_request_handler_avg_idle_ratio", read.Output, StringComparison.Ordinal);
        }

        await using var topics = await RbacClusterAsync(patchTopic);
        var refused = await RunRoundAsync(topics);
        Assert.Equal(AgentRoundResult.Failed, refused.Result);
        Assert.StartsWith("Error: Command failed with exit code 1: Error from server (Forbidden): kafkatopics.kafka.strimzi.io \"orders\" is forbidden: "
            + "User \"system:serviceaccount:kafkademo-agent:vibectl\" cannot patch resource \"kafkatopics\"", refused.Reason, StringComparison.Ordinal);
    }

    private static async Task<AgentRound> RunRoundAsync(AgentCluster cluster)
    {
        await cluster.Get<AgentLoop>().RunRoundAsync("manual", Token);
        return cluster.Get<AgentActivity>().Rounds[^1];
    }

    /// <summary>An agent whose model is local-model on an OpenAI-compatible server described by <paramref name="entry"/>.</summary>
    private static async Task<AgentCluster> CompatibleAsync(string entry, string? key, CompatibleServer server)
    {
        var cluster = await AgentCluster.StartAsync(AgentCluster.Options() with { LlmKey = key, ExtraOpenAiModels = entry }, time: null, "Overseer:Agent:Model=local-model");
        cluster.World.Agent.Services.AddServer("http://host.k3d.internal:8000/v1", server);
        return cluster;
    }

    /// <summary>An agent that runs <paramref name="command"/> once and says DONE, with three broker pods whose exporters answer.</summary>
    private static async Task<AgentCluster> RbacClusterAsync(string[] command)
    {
        var options = AgentCluster.Options() with
        {
            Programs = new AgentContainerOptions
            {
                Time = new FastForwardTime(),
                Model = new ScriptedModel
                {
                    Planner = call => ModelAnswer.Plan(call.Steps.Count == 0 ? PlannerAction.Command(command) : PlannerAction.Done("Looked once.")),
                },
            },
        };
        var cluster = await AgentCluster.StartAsync(options, time: null);
        BrokerMetricsThroughThePodProxyTests.AddBrokerPods(cluster.Api);
        cluster.Api.OnPodProxy(request => Task.FromResult(request is { Port: 9404, Path: "/metrics" } ? PodProxyResponse.Prometheus(JmxExporterText.Render(JmxExporterText.Typical)) : null));
        return cluster;
    }

    /// <summary>k3d/agent/role.yaml before commit a047712: no pods/proxy, and kafkatopics changeable.</summary>
    private static JsonObject OldRole() => JsonNode.Parse("""
        {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"vibectl-kafka-tuner","namespace":"kafka"},
         "rules":[
           {"apiGroups":["kafka.strimzi.io"],"resources":["kafkas","kafkanodepools","kafkatopics"],"verbs":["get","list","watch","patch","update"]},
           {"apiGroups":[""],"resources":["pods","pods/log","events","services"],"verbs":["get","list","watch"]},
           {"apiGroups":["metrics.k8s.io"],"resources":["pods"],"verbs":["get","list"]}]}
        """)!.AsObject();

    /// <summary>A command in the agent's pod through the shipped channel; its standard output.</summary>
    private static async Task<string> ExecAsync(AgentCluster cluster, IReadOnlyList<string> command)
    {
        var channel = cluster.Get<IAgentChannel>();
        var pod = await channel.FindPodAsync(Token);
        var result = await channel.RunAsync(pod, command, onLine: null, TimeSpan.FromSeconds(30), Token);
        Assert.Equal(0, result.ExitCode);
        return result.Output;
    }

    /// <summary>The Overseer's exec as first written: KubernetesClient's muxed exec, which always opens stdin.</summary>
    private static void UseMuxedExec(IServiceCollection services, AgentWorld world)
    {
        services.AddSingleton<PodExecChannel>();
        services.AddSingleton<IAgentChannel>(provider => new MuxedExecChannel(provider.GetRequiredService<PodExecChannel>(), world.Client,
            provider.GetRequiredService<IOptions<AgentOptions>>().Value));
    }

    /// <summary>
    /// Issue 14 defect 4's exec: MuxedStreamNamespacedPodExecAsync (stdin=1 whatever it is told), its
    /// streams read to the end; the pod lookup is the shipped one.
    /// </summary>
    private sealed class MuxedExecChannel(PodExecChannel shipped, IKubernetes client, AgentOptions options) : IAgentChannel
    {
        public Task<AgentPod> FindPodAsync(CancellationToken cancellationToken) => shipped.FindPodAsync(cancellationToken);

        public async Task<AgentCommandResult> RunAsync(AgentPod pod, IReadOnlyList<string> command, Action<AgentOutputLine>? onLine, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var muxed = await client.MuxedStreamNamespacedPodExecAsync(pod.Name, options.Namespace, [.. command], options.Container,
                stderr: true, stdin: false, stdout: true, tty: false, cancellationToken: cancellationToken);
            using var stdout = muxed.GetStream(ChannelIndex.StdOut, null);
            using var stderr = muxed.GetStream(ChannelIndex.StdErr, null);
            using var status = muxed.GetStream(ChannelIndex.Error, null);
            muxed.Start();
            var output = ReadAsync(stdout, AgentOutputSource.Stdout);
            var error = ReadAsync(stderr, AgentOutputSource.Stderr);
            using var statusReader = new StreamReader(status);
            var statusText = await statusReader.ReadToEndAsync(cancellationToken);
            var exit = KubernetesJson.Deserialize<k8s.Models.V1Status>(statusText) is { Status: "Success" } ? 0
                : KubernetesJson.Deserialize<k8s.Models.V1Status>(statusText).Details?.Causes?.FirstOrDefault(c => c.Reason == "ExitCode")?.Message is { } code
                    ? int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) : -1;
            return new AgentCommandResult(exit, await output, await error, pod);

            async Task<string> ReadAsync(Stream stream, AgentOutputSource source)
            {
                using var reader = new StreamReader(stream, Encoding.UTF8);
                var all = new StringBuilder();
                while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
                {
                    all.Append(line).Append('\n');
                    onLine?.Invoke(new AgentOutputLine(DateTimeOffset.UtcNow, line, source));
                }

                return all.ToString();
            }
        }
    }
}
