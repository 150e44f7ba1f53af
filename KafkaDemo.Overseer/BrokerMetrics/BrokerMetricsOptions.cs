using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.BrokerMetrics;

/// <summary>
/// <c>Overseer:BrokerMetrics</c>: how the brokers' JMX figures are read, through the Kubernetes API's
/// pod proxy (<c>/api/v1/namespaces/kafka/pods/&lt;pod&gt;:9404/proxy/metrics</c>), when there is a cluster.
/// </summary>
public sealed class BrokerMetricsOptions
{
    public const string SectionName = "Overseer:BrokerMetrics";

    /// <summary>
    /// Seconds between readings. The exporter walks every MBean of the broker for each request, and
    /// its idle ratios are one-minute rates, so 15 s shows a change within a minute at little cost.
    /// </summary>
    public int PollSeconds { get; set; } = 15;

    /// <summary>Seconds one broker may take to answer; past it the broker is shown as not answering.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>The exporter's port (Strimzi runs the JMX exporter on 9404: kafka_run.sh's -javaagent ...=9404).</summary>
    public int Port { get; set; } = 9404;

    /// <summary>The path the exporter answers on.</summary>
    public string Path { get; set; } = "metrics";
}

/// <summary>Checks <see cref="BrokerMetricsOptions"/> at start-up; every message names its key.</summary>
public sealed class BrokerMetricsOptionsValidator : IValidateOptions<BrokerMetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, BrokerMetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = BrokerMetricsOptions.SectionName;
        var failures = new List<string>();
        if (options.PollSeconds is < 1 or > 3600)
        {
            failures.Add($"{S}:PollSeconds must be from 1 to 3600; it is {options.PollSeconds}.");
        }

        if (options.TimeoutSeconds is < 1 or > 300)
        {
            failures.Add($"{S}:TimeoutSeconds must be from 1 to 300; it is {options.TimeoutSeconds}.");
        }

        if (options.Port is < 1 or > 65_535)
        {
            failures.Add($"{S}:Port must be from 1 to 65535; it is {options.Port}.");
        }

        if (string.IsNullOrWhiteSpace(options.Path) || options.Path.StartsWith('/') || options.Path.Any(c => c is '?' or '#' or ' ' or '%'))
        {
            failures.Add($"{S}:Path must be a path under the pod proxy without a leading '/', a query or spaces, such as 'metrics'; it is '{options.Path}'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
