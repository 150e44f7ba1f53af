using KafkaDemo.Messaging.Contracts;

namespace KafkaDemo.AppHost.Extensions;

/// <summary>Dashboard commands: load and controller on the Overseer, faults on the embedded Kafka. They send the control token.</summary>
public static class CommandExtensions
{
    public static IResourceBuilder<ProjectResource> WithOverseerCommands(this IResourceBuilder<ProjectResource> overseer)
    {
        ArgumentNullException.ThrowIfNull(overseer);
        var http = overseer.GetEndpoint("http");
        return overseer
            .Command("pause-load", "Pause load", "Pause", http, HttpMethod.Put, "/api/load", new LoadChange(true), "Load paused.")
            .Command("resume-load", "Resume load", "Play", http, HttpMethod.Put, "/api/load", new LoadChange(false), "Load resumed.")
            .Command("controller-on", "Controller on", "ArrowTrending", http, HttpMethod.Put, "/api/controller", new ControllerChange(true, null), "Controller on.")
            .Command("controller-off", "Controller off", "ArrowTrendingLines", http, HttpMethod.Put, "/api/controller", new ControllerChange(false, null), "Controller off.");
    }

    /// <summary>The agent's commands on the Overseer (k3d mode): run a round now, pause or resume, reset the broker config to a preset.</summary>
    public static IResourceBuilder<ProjectResource> WithAgentCommands(this IResourceBuilder<ProjectResource> overseer, IEnumerable<string> presets)
    {
        ArgumentNullException.ThrowIfNull(overseer);
        ArgumentNullException.ThrowIfNull(presets);
        var http = overseer.GetEndpoint("http");
        var names = presets.ToList();
        overseer
            .Command("agent-run", "Run agent now", "BotSparkle", http, HttpMethod.Post, "/api/agent/run", (object?)null, "Agent round started.")
            .Command("agent-pause", "Pause agent", "Pause", http, HttpMethod.Put, "/api/agent", new AgentChange(true), "Agent paused.")
            .Command("agent-resume", "Resume agent", "Play", http, HttpMethod.Put, "/api/agent", new AgentChange(false), "Agent resumed.");
        return overseer.WithCommand(
            "reset-broker-config",
            "Reset broker config",
            context => ResourceHttpCommand.SendAsync(context, http, HttpMethod.Put, "/api/cluster/broker-config",
                new BrokerConfigReset(context.Arguments.GetString("preset")), "Broker config reset."),
            new CommandOptions
            {
                Description = "Puts a baseline broker config into the Kafka resource: the cluster's modest start, or Kafka's own defaults.",
                IconName = "ArrowReset",
                UpdateState = ResourceHttpCommand.WhenHealthy,
                Arguments =
                [
                    new InteractionInput
                    {
                        Name = "preset",
                        Label = "Preset",
                        InputType = InputType.Choice,
                        Required = true,
                        Options = [.. names.Select(n => KeyValuePair.Create(n, n))],
                        Value = names.FirstOrDefault(),
                    },
                ],
            });
    }

    public static IResourceBuilder<ProjectResource> WithFaultCommands(this IResourceBuilder<ProjectResource> broker, int brokers)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var http = broker.GetEndpoint("http");
        broker.WithCommand(
            "add-latency",
            "Add broker latency",
            context => ResourceHttpCommand.SendAsync(context, http, HttpMethod.Put, "/api/faults/latency",
                new LatencyFault(context.Arguments.GetInt32("ms"), null), "Latency added to every broker."),
            new CommandOptions
            {
                Description = "Adds round-trip latency to every broker.",
                IconName = "Timer",
                UpdateState = ResourceHttpCommand.WhenHealthy,
                Arguments = [new InteractionInput { Name = "ms", Label = "Latency (ms)", InputType = InputType.Number, Required = true, Value = "10" }],
            });
        broker.WithCommand(
            "broker-down",
            "Take a broker down",
            context => ResourceHttpCommand.SendAsync(context, http, HttpMethod.Post, "/api/faults/broker-down",
                new BrokerOutage(context.Arguments.GetInt32("broker"), context.Arguments.GetInt32("seconds")), "Broker down."),
            new CommandOptions
            {
                Description = "Takes one broker down for a number of seconds.",
                IconName = "PlugDisconnected",
                UpdateState = ResourceHttpCommand.WhenHealthy,
                Arguments =
                [
                    new InteractionInput { Name = "broker", Label = $"Broker (1 to {brokers})", InputType = InputType.Number, Required = true, Value = "1" },
                    new InteractionInput { Name = "seconds", Label = "Seconds down", InputType = InputType.Number, Required = true, Value = "10" },
                ],
            });
        return broker.Command("clear-faults", "Clear faults", "Broom", http, HttpMethod.Delete, "/api/faults", (object?)null, "Faults cleared.");
    }

    private static IResourceBuilder<ProjectResource> Command<T>(
        this IResourceBuilder<ProjectResource> resource, string name, string displayName, string icon,
        EndpointReference endpoint, HttpMethod method, string path, T? body, string done) =>
        resource.WithCommand(
            name,
            displayName,
            context => ResourceHttpCommand.SendAsync(context, endpoint, method, path, body, done),
            new CommandOptions { IconName = icon, UpdateState = ResourceHttpCommand.WhenHealthy });
}
