using System.Globalization;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using KafkaDemo.Overseer.KubernetesApi;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.BrokerMetrics;

/// <summary>
/// Reads every broker pod's JMX figures every <see cref="BrokerMetricsOptions.PollSeconds"/>, through
/// the Kubernetes API's pod proxy (the brokers' port 9404 is not reachable from the host), and puts
/// them on the <see cref="BrokerMetricsBoard"/>. Does nothing without a cluster. A broker that does
/// not answer, answers with an error or with something that is not Prometheus text is shown as such;
/// a failure to list the pods is logged and retried after a growing wait. Nothing the cluster does
/// stops it.
/// </summary>
public sealed partial class BrokerMetricsReader(
    ClusterConnection cluster,
    BrokerMetricsBoard board,
    IOptions<BrokerMetricsOptions> options,
    TimeProvider time,
    ILogger<BrokerMetricsReader> logger) : BackgroundService
{
    /// <summary>
    /// Bytes read of one answer. Strimzi's exporter with these rules and the JVM's own metrics answers
    /// with tens of KB; a broker that answers megabytes is not answering with these metrics.
    /// </summary>
    public const int MaxAnswerBytes = 4 * 1024 * 1024;

    /// <summary>After the pods could not be listed: 1 s, doubling, at most a minute (never sooner than the next poll).</summary>
    private static readonly Backoff Retry = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    private readonly BrokerMetricsOptions _options = options.Value;
    private readonly Dictionary<string, string?> _lastProblem = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!cluster.Options.Enabled)
        {
            return;
        }

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = TimeSpan.FromSeconds(_options.PollSeconds);
            try
            {
                await ReadAllAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A client timeout, an error status, a refused or dropped connection, JSON that does
                // not parse, a kubeconfig being rewritten: all transient.
                var backoff = Retry.Delay(++failures);
                wait = backoff > wait ? backoff : wait;
                var problem = $"The broker pods could not be listed: {Describe(ex)}";
                board.Fail(problem);
                LogListFailed(logger, wait.TotalSeconds, problem);
            }

            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Reads every broker pod once, all at once, and records what each answered; public so tests can drive it.</summary>
    public async Task ReadAllAsync(CancellationToken cancellationToken)
    {
        var client = cluster.Client ?? throw new InvalidOperationException($"{cluster.Options.Source} could not be read.");
        var ns = cluster.Options.Namespace;
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: cluster.Options.BrokerPodSelector, cancellationToken: cancellationToken);
        var names = pods.Items.Where(p => p.Metadata.DeletionTimestamp is null).Select(p => p.Metadata.Name).ToList();
        var readings = await Task.WhenAll(names.Select(pod => ReadAsync(client, ns, pod, cancellationToken)));
        board.Record(readings, time.GetUtcNow());
        foreach (var reading in readings)
        {
            Report(reading);
        }
    }

    private async Task<BrokerReading> ReadAsync(IKubernetes client, string ns, string pod, CancellationToken cancellationToken)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(_options.TimeoutSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            // KubernetesClient 21.0.8 builds "api/v1/namespaces/{ns}/pods/{name}/proxy/{path}" without
            // escaping (CoreV1 ConnectGetNamespacedPodProxyWithPathAsync), so "<pod>:<port>" names the
            // port, as the API server splits it (apimachinery port_split.go SplitSchemeNamePort). A
            // non-2xx answer throws HttpOperationException; the exporter's own answer is passed through.
            await using var stream = await client.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync(
                string.Create(CultureInfo.InvariantCulture, $"{pod}:{_options.Port}"), ns, _options.Path, cancellationToken: linked.Token);
            var text = await ReadAnswerAsync(stream, linked.Token);
            return new BrokerReading(pod, time.GetUtcNow(), BrokerFigures.From(PrometheusText.Parse(text)), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            return new BrokerReading(pod, time.GetUtcNow(), null, string.Create(CultureInfo.InvariantCulture, $"no answer within {_options.TimeoutSeconds} s"));
        }
        catch (Exception ex)
        {
            return new BrokerReading(pod, time.GetUtcNow(), null, Describe(ex));
        }
    }

    /// <summary>The answer as text, at most <see cref="MaxAnswerBytes"/>.</summary>
    private static async Task<string> ReadAnswerAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxAnswerBytes)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"the answer is longer than {MaxAnswerBytes / (1024 * 1024)} MiB"));
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Why a call gave nothing, in a few words: the API server's own message when it sent a Status.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            HttpOperationException { Response: { } response } => string.Create(CultureInfo.InvariantCulture,
                $"{(int)response.StatusCode} {response.StatusCode}{(StatusMessage(response.Content) is { } message ? $": {message}" : "")}"),
            PrometheusFormatException format => $"not Prometheus text: {format.Message}",
            OperationCanceledException => "no answer in time",
            _ => exception.Message,
        };
    }

    /// <summary>The <c>message</c> of a Kubernetes Status body, or a short start of any other body.</summary>
    private static string? StatusMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString();
            }
        }
        catch (JsonException)
        {
            // not a Status: the start of the body says enough
        }

        var text = body.Trim().ReplaceLineEndings(" ");
        return text.Length <= 200 ? text : text[..200] + "…";
    }

    /// <summary>Logs a broker when it stops answering, or answers again: not at every poll.</summary>
    private void Report(BrokerReading reading)
    {
        var seen = _lastProblem.TryGetValue(reading.Pod, out var before);
        _lastProblem[reading.Pod] = reading.Problem;
        if (reading.Problem is { } problem && (!seen || before != problem))
        {
            LogBrokerFailed(logger, reading.Pod, problem);
        }
        else if (reading.Problem is null && seen && before is not null)
        {
            LogBrokerBack(logger, reading.Pod);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the brokers' metrics failed, retrying in {Seconds} s: {Problem}")]
    private static partial void LogListFailed(ILogger logger, double seconds, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker {Pod} gave no metrics: {Problem}")]
    private static partial void LogBrokerFailed(ILogger logger, string pod, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Broker {Pod} answers with its metrics again")]
    private static partial void LogBrokerBack(ILogger logger, string pod);
}
