namespace KafkaDemo.AppHost.Settings;

/// <summary>
/// The <c>spec.kafka.config</c> keys Strimzi 1.2.0 owns itself. Strimzi drops them silently (it
/// only logs a warning), so a setting with one of them would look applied and do nothing.
/// Source: <c>KafkaClusterSpec.FORBIDDEN_PREFIXES</c> and <c>FORBIDDEN_PREFIX_EXCEPTIONS</c> at
/// Strimzi 1.2.0; a test checks these lists against the upstream constants.
/// </summary>
public static class StrimziConfigRules
{
    /// <summary>Matched with <c>key.ToLowerInvariant().StartsWith(prefix)</c>, as Strimzi does.</summary>
    public static readonly IReadOnlyList<string> ForbiddenPrefixes =
    [
        "listeners", "advertised.", "broker.", "listener.", "host.name", "port", "inter.broker.listener.name",
        "sasl.", "ssl.", "security.", "password.", "log.dir", "zookeeper.connect", "zookeeper.set.acl",
        "zookeeper.ssl", "zookeeper.clientCnxnSocket", "authorizer.", "super.user", "cruise.control.metrics.topic",
        "cruise.control.metrics.reporter.bootstrap.servers", "node.id", "process.roles", "controller.",
        "metadata.log.dir", "zookeeper.metadata.migration.enable", "client.quota.callback.static.kafka.admin.",
        "client.quota.callback.static.produce", "client.quota.callback.static.fetch",
        "client.quota.callback.static.storage.per.volume.limit.min.available.",
        "client.quota.callback.static.excluded.principal.name.list", "prometheus.metrics.reporter.", "cordoned.log.dirs",
    ];

    /// <summary>Exact keys allowed although a forbidden prefix matches them.</summary>
    public static readonly IReadOnlyList<string> Exceptions =
    [
        "zookeeper.connection.timeout.ms", "sasl.server.max.receive.size", "ssl.cipher.suites", "ssl.protocol",
        "ssl.enabled.protocols", "ssl.secure.random.implementation", "cruise.control.metrics.topic.num.partitions",
        "cruise.control.metrics.topic.replication.factor", "cruise.control.metrics.topic.retention.ms",
        "cruise.control.metrics.topic.auto.create.retries", "cruise.control.metrics.topic.auto.create.timeout.ms",
        "cruise.control.metrics.topic.min.insync.replicas", "broker.session.timeout.ms", "broker.heartbeat.interval.ms",
        "controller.socket.timeout.ms", "controller.quorum.election.backoff.max.ms", "controller.quorum.election.timeout.ms",
        "controller.quorum.fetch.timeout.ms",
    ];

    /// <summary>Per-listener settings Strimzi lets through as <c>listener.name.&lt;name&gt;-&lt;port&gt;.&lt;setting&gt;</c>.</summary>
    public static readonly IReadOnlyList<string> PerListenerSettings = ["connections.max.reauth.ms", "max.connections", "max.connection.creation.rate"];

    /// <summary>Why Strimzi would drop <paramref name="key"/>, or null when it passes it to Kafka.</summary>
    public static string? ForbiddenReason(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Exceptions.Contains(key, StringComparer.Ordinal) || IsPerListenerSetting(key))
        {
            return null;
        }

        var lower = key.ToLowerInvariant();
        var prefix = ForbiddenPrefixes.FirstOrDefault(p => lower.StartsWith(p, StringComparison.Ordinal));
        return prefix is null
            ? null
            : $"'{key}' is managed by Strimzi (forbidden prefix '{prefix}'); Strimzi would ignore it silently.";
    }

    private static bool IsPerListenerSetting(string key)
    {
        const string Prefix = "listener.name.";
        if (!key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = key[Prefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && rest[..dot].Contains('-', StringComparison.Ordinal) && PerListenerSettings.Contains(rest[(dot + 1)..], StringComparer.Ordinal);
    }
}
