using System.Globalization;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// What the agent tests look at in the agent's pod (the newest running one the Deployment
/// controller made): the commands run there, vibectl's state as its config file holds it, its auto
/// sessions, and the scripted model's behaviour. The IntegrationTests' AgentCluster and the AppHost
/// tests' FakeCluster both look through it.
/// </summary>
public sealed class AgentView(FakeKubernetesApi api, AgentContainerPrograms agent)
{
    private string? fail;

    /// <summary>Every exec's argument array.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Commands => agent.Commands;

    /// <summary>system.custom_instructions in the current pod.</summary>
    public string? Instructions => State?.Instructions;

    /// <summary>vibectl's memory in the current pod; setting it stores it as vibectl's own update would.</summary>
    public string Memory
    {
        get => State?.Memory ?? "";
        set => agent.WriteVibectlMemory(AgentWorld.AgentNamespace, CurrentPod ?? throw new InvalidOperationException("No agent pod runs."), value);
    }

    /// <summary>The memory at the start of each vibectl auto.</summary>
    public IEnumerable<string> MemoryAtAuto => agent.MemoryAtAuto;

    /// <summary>A setting as Python's str() prints it (memory.max_chars: "2000", llm.model: "claude-sonnet-4.6").</summary>
    public IReadOnlyDictionary<string, string> Config => new SettingsView(this);

    /// <summary>memory.max_chars.</summary>
    public int MaxChars => int.Parse(State?.Setting("memory.max_chars") ?? "500", CultureInfo.InvariantCulture);

    /// <summary>vibectl auto sessions that ended without being killed.</summary>
    public int AutoRuns => agent.AutoSessions.Count(s => s.Outcome is not null);

    public int MaxConcurrent => agent.MaxConcurrentAuto;

    /// <summary>When set, the model never answers the planner (a round then runs until its timeout).</summary>
    public bool Hang
    {
        set => agent.Model.Planner = value ? _ => ModelAnswer.Hang() : DemoAgent.Plan;
    }

    /// <summary>
    /// When set, the planner answers an ERROR action with this message: vibectl prints
    /// <c>Error: LLM Planning Error: {message}</c>, halts, and exits 0 (execution/vibe.py
    /// handle_vibe_request; subcommands/auto_cmd.py; cli.py auto → handle_exception).
    /// </summary>
    public string? PlannerError
    {
        get => fail;
        set
        {
            fail = value;
            agent.Model.Planner = value is null ? DemoAgent.Plan : _ => ModelAnswer.Plan(PlannerAction.Error(value));
        }
    }

    /// <summary>Holds the flock lock on <paramref name="path"/> in the current pod, as another process there would, until disposed.</summary>
    public IDisposable HoldLock(string path) =>
        agent.HoldLock(AgentWorld.AgentNamespace, CurrentPod ?? throw new InvalidOperationException("No agent pod runs."), path);

    /// <summary>
    /// OpenAI-compatible models served at <see cref="ExtraModelsServer"/> (keyless, with
    /// supports_schema, as the AppHost's ConfigMap vibectl-llm-models describes one): written into
    /// the current pod's $LLM_USER_PATH/extra-openai-models.yaml as k3d/agent/idle.sh copies the
    /// ConfigMap's file there at start. For a test that starts from such a pod.
    /// </summary>
    public IReadOnlyList<(string Id, string[] Aliases)> ExtraModels
    {
        set
        {
            var pod = CurrentPod ?? throw new InvalidOperationException("No agent pod runs.");
            var container = api.FindRunningContainer(AgentWorld.AgentNamespace, pod)!;
            var yaml = string.Concat(value.Select(m =>
                $"- model_id: {m.Id}\n  model_name: {m.Id}\n  api_base: {ExtraModelsServer}\n  supports_schema: true\n"
                + (m.Aliases.Length > 0 ? $"  aliases: [{string.Join(", ", m.Aliases)}]\n" : "")));
            var userPath = container.Environment["LLM_USER_PATH"];
            container.Files.CreateDirectory(userPath);
            container.Files.WriteAllText($"{userPath}/extra-openai-models.yaml", yaml);
            agent.Services.AddServer(ExtraModelsServer, new CompatibleServer());
        }
    }

    /// <summary>The base URL of the OpenAI-compatible server <see cref="ExtraModels"/> names.</summary>
    public const string ExtraModelsServer = "http://llm.kafkademo.test:8000/v1";

    /// <summary>The agent's current pod (the newest running one the Deployment controller made): its generated name.</summary>
    public string Pod => CurrentPod ?? throw new InvalidOperationException("No agent pod runs.");

    private VibectlState? State => CurrentPod is { } pod ? agent.ReadVibectl(AgentWorld.AgentNamespace, pod) : null;

    private string? CurrentPod => api.List(ResourceType.Pods, AgentWorld.AgentNamespace)
        .Where(p => (string?)p["status"]?["phase"] == "Running" && api.FindRunningContainer(AgentWorld.AgentNamespace, (string)p["metadata"]!["name"]!) is not null)
        .OrderByDescending(p => (string?)p["metadata"]?["creationTimestamp"])
        .Select(p => (string?)p["metadata"]!["name"])
        .FirstOrDefault();

    private sealed class SettingsView(AgentView view) : IReadOnlyDictionary<string, string>
    {
        public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

        public IEnumerable<string> Keys => [];

        public IEnumerable<string> Values => [];

        public int Count => 0;

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public bool TryGetValue(string key, out string value)
        {
            value = view.State?.Setting(key) ?? "";
            return view.State?.Setting(key) is not null;
        }

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Enumerable.Empty<KeyValuePair<string, string>>().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
