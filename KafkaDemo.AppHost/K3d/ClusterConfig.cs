using System.Globalization;
using System.Text.Json.Nodes;
using KafkaDemo.AppHost.Manifests;
using KafkaDemo.AppHost.Settings;

namespace KafkaDemo.AppHost.K3d;

/// <summary>The k3d cluster config: <c>k3d/cluster.yaml</c> with the configured name, agents and ports.</summary>
public static class ClusterConfig
{
    public const string File = "k3d/cluster.yaml";

    public static JsonObject Render(K3dSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = ManifestFiles.Objects(File).Single();
        config["metadata"]!["name"] = settings.ClusterName;
        config["agents"] = settings.Agents;
        config["ports"] = new JsonArray([.. settings.HostPorts.Select(port => (JsonNode)new JsonObject
        {
            ["port"] = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}:{port}"),
            ["nodeFilters"] = new JsonArray("loadbalancer"),
        })]);
        return config;
    }

    /// <summary>The host ports a config maps, from its <c>ports[].port</c> ("127.0.0.1:30092:30092").</summary>
    public static IReadOnlyList<(int HostPort, int ContainerPort, string HostIp)> Mappings(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return [.. (config["ports"]?.AsArray() ?? []).Select(p =>
        {
            var parts = ((string)p!["port"]!).Split(':');
            return parts.Length == 3
                ? (int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture), parts[0])
                : (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[^1], CultureInfo.InvariantCulture), "0.0.0.0");
        })];
    }
}
