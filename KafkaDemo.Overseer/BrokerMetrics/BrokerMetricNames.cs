namespace KafkaDemo.Overseer.BrokerMetrics;

/// <summary>
/// The names under which the brokers' JMX exporter publishes the figures the Overseer reads, derived
/// from the rules in k3d/kafka/metrics-config.yaml as jmx_prometheus_javaagent 1.6.0 (the one
/// Strimzi 1.2.0's Kafka image bundles: docker-images/kafka-based/kafka/Dockerfile
/// JMX_EXPORTER_VERSION=1.6.0) applies them.
/// </summary>
/// <remarks>
/// jmx_exporter 1.6.0 collector/src/main/java/io/prometheus/jmx/JmxCollector.java: a rule's pattern
/// is matched as <c>^.*(?:pattern).*$</c> (loadConfig) against
/// <c>domain&lt;key properties in the bean's order&gt;&lt;&gt;attribute: value</c> (Receiver.recordBean);
/// its <c>name</c> gets the groups substituted (<c>matcher.replaceAll</c>), then <c>toSafeName</c>
/// (characters outside <c>[a-zA-Z0-9:_]</c> become <c>_</c>, runs of <c>_</c> merge), then, with
/// <c>lowercaseOutputName: true</c>, <c>toLowerCase</c> of the whole name; label values from the rule
/// are substituted and never lowercased (only label names are, with lowercaseOutputLabelNames).
/// A rule without <c>help</c> gets the HELP text "&lt;attribute description&gt; &lt;domain&gt;:name=&lt;name&gt;,type=&lt;type&gt;,attribute=&lt;attribute&gt;".
/// </remarks>
public static class BrokerMetricNames
{
    /// <summary>
    /// <c>kafka.server&lt;type=KafkaRequestHandlerPool, name=RequestHandlerAvgIdlePercent&gt;&lt;&gt;OneMinuteRate</c>:
    /// the I/O threads' (num.io.threads) idle fraction, 0 to 1 (Kafka marks the meter in nanoseconds of idle
    /// time per thread and per nanosecond, so its rate is a fraction, not a percentage).
    /// </summary>
    public const string RequestHandlerIdle = "kafka_server_request_handler_avg_idle_ratio";

    /// <summary><c>kafka.network&lt;type=SocketServer, name=NetworkProcessorAvgIdlePercent&gt;&lt;&gt;Value</c>: the network threads' (num.network.threads) idle fraction, 0 to 1.</summary>
    public const string NetworkProcessorIdle = "kafka_network_processor_avg_idle_ratio";

    /// <summary><c>kafka.network&lt;type=RequestChannel, name=RequestQueueSize&gt;&lt;&gt;Value</c>: requests waiting for an I/O thread.</summary>
    public const string RequestQueueSize = "kafka_network_request_queue_size";

    /// <summary>
    /// <c>kafka.network&lt;type=RequestMetrics, name=TotalTimeMs, request=Produce&gt;&lt;&gt;99thPercentile</c>
    /// through the rule named <c>kafka_network_request_$1_time_ms</c>: <c>$1</c> is <c>Total</c>, so
    /// <c>kafka_network_request_Total_time_ms</c>, lowercased; labels <c>request="Produce"</c> and
    /// <c>quantile="0.$3"</c> = <c>"0.99"</c>. Milliseconds, over Kafka's histogram of recent requests.
    /// </summary>
    public const string RequestTotalTimeMs = "kafka_network_request_total_time_ms";

    /// <summary>The label and value of produce requests in <see cref="RequestTotalTimeMs"/>.</summary>
    public const string RequestLabel = "request";

    public const string Produce = "Produce";

    /// <summary>The quantile label; the rule writes <c>"0.$3"</c> for <c>$3thPercentile</c>.</summary>
    public const string QuantileLabel = "quantile";

    public const double P99 = 0.99;

    /// <summary>
    /// <c>kafka.server&lt;type=ReplicaManager, name=UnderReplicatedPartitions&gt;&lt;&gt;Value</c> through
    /// <c>kafka_server_replica_manager_$1</c>, lowercased: partitions this broker leads whose in-sync
    /// replicas are fewer than their replicas.
    /// </summary>
    public const string UnderReplicatedPartitions = "kafka_server_replica_manager_underreplicatedpartitions";
}
