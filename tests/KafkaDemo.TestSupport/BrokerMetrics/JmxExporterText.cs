using System.Globalization;
using System.Text;

namespace KafkaDemo.TestSupport.BrokerMetrics;

/// <summary>The values one broker's exporter reports for the figures the Overseer reads.</summary>
/// <param name="RequestHandlerIdle">RequestHandlerAvgIdlePercent's one-minute rate, 0 to 1.</param>
/// <param name="NetworkProcessorIdle">NetworkProcessorAvgIdlePercent, 0 to 1.</param>
/// <param name="RequestQueue">RequestQueueSize.</param>
/// <param name="ProduceP99Ms">TotalTimeMs of Produce, 99th percentile.</param>
/// <param name="UnderReplicated">UnderReplicatedPartitions.</param>
public sealed record BrokerJmxValues(double RequestHandlerIdle, double NetworkProcessorIdle, int RequestQueue, double ProduceP99Ms, int UnderReplicated);

/// <summary>
/// What a Kafka broker's <c>/metrics</c> on port 9404 answers in Strimzi 1.2.0's Kafka image with the
/// rules of k3d/kafka/metrics-config.yaml: the text jmx_prometheus_javaagent 1.6.0 (Strimzi's
/// docker-images/kafka-based/kafka/Dockerfile JMX_EXPORTER_VERSION) writes through prometheus-metrics
/// 1.7.0's PrometheusTextFormatWriter (the format a request without an OpenMetrics Accept header gets).
/// </summary>
/// <remarks>
/// <para>What follows the upstream source (cited): metric names from the rules (JmxCollector
/// Receiver.recordBean: substitution, toSafeName, then lowercase); label values from the rules,
/// never lowercased, labels sorted by name (Labels.sortAndValidate); families sorted by name
/// (MetricSnapshots' constructor); HELP of a rule without <c>help</c>:
/// "&lt;attribute description&gt; &lt;domain&gt;:name=...,type=...,attribute=..." with the first bean's
/// attribute for a family of several (MatchedRuleToMetricSnapshotsConverter uses firstRule.help);
/// a label <c>_objectname</c> when a family's labels are not unique (several RequestsPerSec versions
/// with the same request label); <c># TYPE</c> with the counter's full <c>_total</c> name; values as
/// Java's Double.toString (<c>0.0</c>, <c>4.2E7</c>), a summary's <c>_count</c> as a long
/// (TextFormatUtil.writeDouble, writeLong), an info metric's value as <c>1</c> (writeInfo).</para>
/// <para>Not confirmed from source, so taken as the usual: the attribute description of Kafka's
/// Yammer MBeans, "Attribute exposed for management" (the JDK's standard MBean introspection); the
/// javaagent jar's Implementation-Title in jmx_exporter_build_info; which beans exist in a KRaft
/// broker of Kafka 4.3.1 beyond those the rules name. The values are made up; the JVM metrics are
/// a few of client_java 1.7.0's JvmMetrics, with its names and HELP texts.</para>
/// </remarks>
public static class JmxExporterText
{
    private const string Management = "Attribute exposed for management";

    private static readonly string[] Quantiles = ["0.50", "0.75", "0.95", "0.98", "0.99", "0.999"];

    private static readonly string[] Requests = ["FetchConsumer", "FetchFollower", "Produce"];

    /// <summary>The values of a broker with some headroom.</summary>
    public static BrokerJmxValues Typical { get; } = new(0.8734210981, 0.9312, 0, 12.5, 0);

    /// <summary>One broker's answer.</summary>
    public static string Render(BrokerJmxValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var text = new StringBuilder();
        Family(text, "jmx_config_reload_failure_total", "Number of times configuration have failed to be reloaded.", "counter", ("", 0.0));
        Family(text, "jmx_config_reload_success_total", "Number of times configuration have successfully been reloaded.", "counter", ("", 0.0));
        text.Append("# HELP jmx_exporter_build_info JMX Exporter build information\n")
            .Append("# TYPE jmx_exporter_build_info gauge\n")
            .Append("jmx_exporter_build_info{name=\"jmx_prometheus_javaagent\",version=\"1.6.0\"} 1\n");
        Family(text, "jmx_scrape_cached_beans", "Number of beans with their matching rule cached", "gauge", ("", 0.0));
        Family(text, "jmx_scrape_duration_seconds", "Time this JMX scrape took, in seconds.", "gauge", ("", 0.187));
        Family(text, "jmx_scrape_error", "Non-zero if this scrape failed.", "gauge", ("", 0.0));
        text.Append("# HELP jvm_gc_collection_seconds Time spent in a given JVM garbage collector in seconds.\n")
            .Append("# TYPE jvm_gc_collection_seconds summary\n")
            .Append("jvm_gc_collection_seconds_count{gc=\"G1 Concurrent GC\"} 14\n")
            .Append("jvm_gc_collection_seconds_sum{gc=\"G1 Concurrent GC\"} 0.061\n")
            .Append("jvm_gc_collection_seconds_count{gc=\"G1 Old Generation\"} 0\n")
            .Append("jvm_gc_collection_seconds_sum{gc=\"G1 Old Generation\"} 0.0\n")
            .Append("jvm_gc_collection_seconds_count{gc=\"G1 Young Generation\"} 57\n")
            .Append("jvm_gc_collection_seconds_sum{gc=\"G1 Young Generation\"} 0.412\n");
        Family(text, "jvm_memory_used_bytes", "Used bytes of a given JVM memory area.", "gauge",
            ("{area=\"heap\"}", 3.1457072E8), ("{area=\"nonheap\"}", 9.8123456E7));
        text.Append("# HELP jvm_runtime_info JVM runtime info\n")
            .Append("# TYPE jvm_runtime_info gauge\n")
            .Append("jvm_runtime_info{runtime=\"OpenJDK Runtime Environment\",vendor=\"Red Hat, Inc.\",version=\"21.0.9+10-LTS\"} 1\n");
        Family(text, "jvm_threads_current", "Current thread count of a JVM", "gauge", ("", 121.0));
        Family(text, "kafka_network_processor_avg_idle_ratio", Help("kafka.network", "NetworkProcessorAvgIdlePercent", "SocketServer", "Value"), "gauge",
            ("", values.NetworkProcessorIdle));
        Family(text, "kafka_network_request_queue_size", Help("kafka.network", "RequestQueueSize", "RequestChannel", "Value"), "gauge",
            ("", values.RequestQueue));
        TimeFamily(text, "kafka_network_request_requestqueue_time_ms", "RequestQueueTimeMs", request => request == "Produce" ? values.ProduceP99Ms / 10 : 0.2);
        TimeFamily(text, "kafka_network_request_total_time_ms", "TotalTimeMs", request => request switch
        {
            "Produce" => values.ProduceP99Ms,
            "FetchConsumer" => 501.0, // a long poll waits up to fetch.max.wait.ms
            _ => 500.0,
        });

        // RequestsPerSec has a bean per API version with the same request label: _objectname makes them unique.
        text.Append(CultureInfo.InvariantCulture, $"# HELP kafka_network_requests_per_sec {Help("kafka.network", "RequestsPerSec", "RequestMetrics", "OneMinuteRate")}\n")
            .Append("# TYPE kafka_network_requests_per_sec gauge\n");
        foreach (var (request, version, rate) in new[] { ("FetchConsumer", 17, 4.0138), ("FetchFollower", 17, 8.0001), ("Produce", 11, 61.87), ("Produce", 9, 0.0) })
        {
            text.Append(CultureInfo.InvariantCulture,
                $"kafka_network_requests_per_sec{{_objectname=\"kafka.network<type=RequestMetrics, name=RequestsPerSec, request={request}, version={version}><>OneMinuteRate\",request=\"{request}\"}} {Java(rate)}\n");
        }

        Family(text, "kafka_server_broker_bytesin_per_sec", Help("kafka.server", "BytesInPerSec", "BrokerTopicMetrics", "OneMinuteRate"), "gauge", ("", 4.2123E7));
        Family(text, "kafka_server_broker_bytesout_per_sec", Help("kafka.server", "BytesOutPerSec", "BrokerTopicMetrics", "OneMinuteRate"), "gauge", ("", 8.0091E7));
        Family(text, "kafka_server_broker_messagesin_per_sec", Help("kafka.server", "MessagesInPerSec", "BrokerTopicMetrics", "OneMinuteRate"), "gauge", ("", 1999.734));
        Family(text, "kafka_server_replica_fetcher_max_lag", Help("kafka.server", "MaxLag", "ReplicaFetcherManager", "Value"), "gauge", ("", 0.0));
        Family(text, "kafka_server_replica_manager_leadercount", Help("kafka.server", "LeaderCount", "ReplicaManager", "Value"), "gauge", ("", 17.0));
        Family(text, "kafka_server_replica_manager_partitioncount", Help("kafka.server", "PartitionCount", "ReplicaManager", "Value"), "gauge", ("", 51.0));
        Family(text, "kafka_server_replica_manager_underminisrpartitioncount", Help("kafka.server", "UnderMinIsrPartitionCount", "ReplicaManager", "Value"), "gauge", ("", 0.0));
        Family(text, "kafka_server_replica_manager_underreplicatedpartitions", Help("kafka.server", "UnderReplicatedPartitions", "ReplicaManager", "Value"), "gauge",
            ("", values.UnderReplicated));
        Family(text, "kafka_server_request_handler_avg_idle_ratio", Help("kafka.server", "RequestHandlerAvgIdlePercent", "KafkaRequestHandlerPool", "OneMinuteRate"), "gauge",
            ("", values.RequestHandlerIdle));
        Family(text, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter", ("", 412.31));
        Family(text, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge", ("", 1.796018E9));
        return text.ToString();
    }

    /// <summary>A value as Java's Double.toString writes it, and client_java's writeDouble for the infinities.</summary>
    public static string Java(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // The shortest digits that read back as the value (Java 19+ Double.toString, as .NET's "R"),
        // then Java's layout: plain from 10^-3 to 10^7, otherwise d.dddE±n; always a digit after the point.
        var (digits, exponent) = Digits(Math.Abs(value).ToString("R", CultureInfo.InvariantCulture));
        var sign = value < 0 ? "-" : "";
        if (Math.Abs(value) is >= 1e-3 and < 1e7)
        {
            string plain;
            if (exponent >= 0)
            {
                var whole = digits.Length > exponent + 1 ? digits[..(exponent + 1)] : digits.PadRight(exponent + 1, '0');
                var fraction = digits.Length > exponent + 1 ? digits[(exponent + 1)..] : "0";
                plain = $"{whole}.{fraction}";
            }
            else
            {
                plain = $"0.{new string('0', -exponent - 1)}{digits}";
            }

            return sign + plain;
        }

        var mantissa = digits.Length > 1 ? $"{digits[0]}.{digits[1..]}" : $"{digits}.0";
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{mantissa}E{exponent}");
    }

    /// <summary>The significant digits of a round-trip string and the power of ten of the first.</summary>
    private static (string Digits, int Exponent) Digits(string text)
    {
        var e = text.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? text : text[..e];
        var shift = e < 0 ? 0 : int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var whole = point < 0 ? mantissa : mantissa[..point];
        var fraction = point < 0 ? "" : mantissa[(point + 1)..];
        var all = (whole + fraction).TrimStart('0');
        var leadingZeros = (whole + fraction).Length - all.Length;
        var exponent = whole.Length - 1 - leadingZeros + shift;
        return (all.TrimEnd('0') is { Length: > 0 } d ? d : "0", exponent);
    }

    private static string Help(string domain, string name, string type, string attribute) =>
        $"{Management} {domain}:name={name},type={type},attribute={attribute}";

    private static void Family(StringBuilder text, string name, string help, string type, params (string Labels, double Value)[] points)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, value) in points)
        {
            text.Append(name).Append(labels).Append(' ').Append(Java(value)).Append('\n');
        }
    }

    /// <summary>A RequestMetrics time family: every quantile of every request the rule matches.</summary>
    private static void TimeFamily(StringBuilder text, string name, string bean, Func<string, double> p99)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {Help("kafka.network", bean, "RequestMetrics", "50thPercentile")}\n");
        text.Append(CultureInfo.InvariantCulture, $"# TYPE {name} gauge\n");
        foreach (var request in Requests)
        {
            var top = p99(request);
            foreach (var quantile in Quantiles)
            {
                var value = quantile switch
                {
                    "0.50" => Math.Round(top * 0.4, 3),
                    "0.75" => Math.Round(top * 0.6, 3),
                    "0.95" => Math.Round(top * 0.85, 3),
                    "0.98" => Math.Round(top * 0.93, 3),
                    "0.99" => top,
                    _ => Math.Round(top * 1.6, 3),
                };
                text.Append(CultureInfo.InvariantCulture, $"{name}{{quantile=\"{quantile}\",request=\"{request}\"}} {Java(value)}\n");
            }
        }
    }
}
