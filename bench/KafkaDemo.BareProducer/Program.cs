using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;

// bare-producer <bootstrap servers> <topic> <count> <size> [librdkafka key=value ...]
// Sends <count> messages of <size> bytes as fast as the client takes them, with the same delivery
// settings as KafkaDemo.Producer, and prints one JSON line: acknowledged messages per second from
// the first send to the last acknowledgement.
if (args.Length < 4)
{
    await Console.Error.WriteLineAsync("usage: KafkaDemo.BareProducer <bootstrap servers> <topic> <count> <size> [key=value ...]");
    return 2;
}

var count = long.Parse(args[2], CultureInfo.InvariantCulture);
var size = int.Parse(args[3], CultureInfo.InvariantCulture);
var config = new ProducerConfig
{
    BootstrapServers = args[0],
    Acks = Acks.All,
    EnableIdempotence = true,
    LingerMs = 5,
    BatchSize = 131_072,
    DeliveryReportFields = "none",
};
foreach (var setting in args.Skip(4))
{
    var equals = setting.IndexOf('=', StringComparison.Ordinal);
    config.Set(setting[..equals], setting[(equals + 1)..]);
}

long acked = 0;
long failed = 0;
long lastAck = 0;
using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
var payload = new byte[size];
Random.Shared.NextBytes(payload);
var message = new Message<Null, byte[]> { Value = payload };
var topic = args[1];
void OnDelivery(DeliveryReport<Null, byte[]> report)
{
    if (report.Error.IsError)
    {
        Interlocked.Increment(ref failed);
    }
    else
    {
        Interlocked.Increment(ref acked);
    }

    Interlocked.Exchange(ref lastAck, Stopwatch.GetTimestamp());
}

Action<DeliveryReport<Null, byte[]>> handler = OnDelivery;
var start = Stopwatch.GetTimestamp();
for (long i = 0; i < count; i++)
{
    while (true)
    {
        try
        {
            producer.Produce(topic, message, handler);
            break;
        }
        catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
        {
            Thread.Sleep(1);
        }
    }
}

producer.Flush(TimeSpan.FromMinutes(2));
var seconds = Stopwatch.GetElapsedTime(start, Interlocked.Read(ref lastAck)).TotalSeconds;
var perSecond = acked / seconds;
Console.WriteLine(JsonSerializer.Serialize(new
{
    tool = "bare-confluent-kafka",
    messageSize = size,
    sent = count,
    acked,
    failed,
    seconds = Math.Round(seconds, 3),
    messagesPerSecond = Math.Round(perSecond),
    megabytesPerSecond = Math.Round(perSecond * size / 1_000_000, 2),
}));
return failed == 0 && acked == count ? 0 : 1;
