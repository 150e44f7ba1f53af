using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KafkaDemo.ServiceDefaults.Kafka;

/// <summary>
/// OpenTelemetry instruments fed from librdkafka statistics. The meter and instrument names are
/// those of Aspire.Confluent.Kafka; broker round-trip time and consumer lag are our additions.
/// Totals in the statistics are cumulative, so counters receive the difference to the last document.
/// </summary>
internal sealed class KafkaClientMetrics : IDisposable
{
    public const string MeterName = "Aspire.Confluent.Kafka";

    /// <summary>The consumer lag gauge: one point per assigned partition, so it keeps OpenTelemetry's default cardinality limit.</summary>
    public const string ConsumerLagInstrument = "messaging.kafka.consumer.lag";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<string, KafkaStatistics> _latest = new(StringComparer.Ordinal);
    private readonly Counter<long> _tx;
    private readonly Counter<long> _txBytes;
    private readonly Counter<long> _rx;
    private readonly Counter<long> _rxBytes;
    private readonly Counter<long> _txMessages;
    private readonly Counter<long> _txMessageBytes;
    private readonly Counter<long> _rxMessages;
    private readonly Counter<long> _rxMessageBytes;

    public KafkaClientMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableGauge(
            "messaging.kafka.consumer.queue.message_count",
            () => Observe(s => s.ReplyQueue, consumerOnly: true),
            description: "Operations (callbacks, events) waiting in the consumer's queue.");
        _meter.CreateObservableGauge(
            "messaging.kafka.producer.queue.message_count",
            () => Observe(s => s.MessageCount, producerOnly: true),
            description: "Messages in the producer's queues, waiting to be sent or acknowledged.");
        _meter.CreateObservableGauge(
            "messaging.kafka.producer.queue.size",
            () => Observe(s => s.MessageSize, producerOnly: true),
            unit: "By",
            description: "Bytes of the messages in the producer's queues.");
        _meter.CreateObservableGauge(
            "messaging.kafka.broker.rtt.avg",
            ObserveRtt,
            unit: "ms",
            description: "Average round-trip time to each broker over the last statistics interval.");
        _meter.CreateObservableGauge(
            ConsumerLagInstrument,
            ObserveLag,
            unit: "{message}",
            description: "Messages between the consumer's position and the end of each assigned partition.");

        _tx = _meter.CreateCounter<long>("messaging.kafka.network.tx", "{request}", "Requests sent to brokers.");
        _txBytes = _meter.CreateCounter<long>("messaging.kafka.network.transmitted", "By", "Bytes sent to brokers.");
        _rx = _meter.CreateCounter<long>("messaging.kafka.network.rx", "{response}", "Responses received from brokers.");
        _rxBytes = _meter.CreateCounter<long>("messaging.kafka.network.received", "By", "Bytes received from brokers.");
        _txMessages = _meter.CreateCounter<long>("messaging.publish.messages", "{message}", "Messages sent to brokers.");
        _txMessageBytes = _meter.CreateCounter<long>("messaging.kafka.message.transmitted", "By", "Message bytes sent to brokers.");
        _rxMessages = _meter.CreateCounter<long>("messaging.receive.messages", "{message}", "Messages received from brokers.");
        _rxMessageBytes = _meter.CreateCounter<long>("messaging.kafka.message.received", "By", "Message bytes received from brokers.");
    }

    public void Update(KafkaStatistics current)
    {
        var previous = _latest.TryGetValue(current.Name, out var p) ? p : null;
        _latest[current.Name] = current;

        var tags = new TagList
        {
            { "messaging.client_id", current.ClientId },
            { "name", current.Name },
            { "type", current.Type },
        };
        Add(_tx, current.Tx, previous?.Tx, tags);
        Add(_txBytes, current.TxBytes, previous?.TxBytes, tags);
        Add(_rx, current.Rx, previous?.Rx, tags);
        Add(_rxBytes, current.RxBytes, previous?.RxBytes, tags);
        Add(_txMessages, current.TxMessages, previous?.TxMessages, tags);
        Add(_txMessageBytes, current.TxMessageBytes, previous?.TxMessageBytes, tags);
        Add(_rxMessages, current.RxMessages, previous?.RxMessages, tags);
        Add(_rxMessageBytes, current.RxMessageBytes, previous?.RxMessageBytes, tags);
    }

    public void Dispose() => _meter.Dispose();

    private static void Add(Counter<long> counter, long current, long? previous, in TagList tags)
    {
        var delta = current - (previous ?? 0);
        if (delta > 0)
        {
            counter.Add(delta, tags);
        }
    }

    private IEnumerable<Measurement<long>> Observe(Func<KafkaStatistics, long> value, bool producerOnly = false, bool consumerOnly = false)
    {
        foreach (var s in _latest.Values)
        {
            if ((producerOnly && s.Type != "producer") || (consumerOnly && s.Type != "consumer"))
            {
                continue;
            }

            yield return new Measurement<long>(value(s), Tags(s));
        }
    }

    private IEnumerable<Measurement<double>> ObserveRtt()
    {
        foreach (var s in _latest.Values)
        {
            foreach (var broker in s.Brokers)
            {
                var tags = Tags(s);
                tags.Add("messaging.kafka.broker", broker.Name);
                yield return new Measurement<double>(broker.RttAvgMicros / 1000.0, tags);
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var s in _latest.Values)
        {
            foreach (var partition in s.ConsumerLag)
            {
                var tags = Tags(s);
                tags.Add("messaging.destination.name", partition.Topic);
                tags.Add("messaging.destination.partition.id", partition.Partition);
                yield return new Measurement<long>(partition.Lag, tags);
            }
        }
    }

    private static TagList Tags(KafkaStatistics s) => new()
    {
        { "messaging.client_id", s.ClientId },
        { "name", s.Name },
    };
}
