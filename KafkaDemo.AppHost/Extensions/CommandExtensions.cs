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

    public static IResourceBuilder<ProjectResource> WithFaultCommands(this IResourceBuilder<ProjectResource> broker, int brokers)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var http = broker.GetEndpoint("http");
        broker.WithCommand(
            "add-latency",
            "Add broker latency",
            context => ResourceApi.SendAsync(context, http, HttpMethod.Put, "/api/faults/latency",
                new LatencyFault(context.Arguments.GetInt32("ms"), null), "Latency added to every broker."),
            new CommandOptions
            {
                Description = "Adds round-trip latency to every broker.",
                IconName = "Timer",
                UpdateState = ResourceApi.WhenHealthy,
                Arguments = [new InteractionInput { Name = "ms", Label = "Latency (ms)", InputType = InputType.Number, Required = true, Value = "10" }],
            });
        broker.WithCommand(
            "broker-down",
            "Take a broker down",
            context => ResourceApi.SendAsync(context, http, HttpMethod.Post, "/api/faults/broker-down",
                new BrokerOutage(context.Arguments.GetInt32("broker"), context.Arguments.GetInt32("seconds")), "Broker down."),
            new CommandOptions
            {
                Description = "Takes one broker down for a number of seconds.",
                IconName = "PlugDisconnected",
                UpdateState = ResourceApi.WhenHealthy,
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
            context => ResourceApi.SendAsync(context, endpoint, method, path, body, done),
            new CommandOptions { IconName = icon, UpdateState = ResourceApi.WhenHealthy });
}
