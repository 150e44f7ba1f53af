extern alias producer;
extern alias consumer;

using consumer::KafkaDemo.Consumer.Consuming;
using consumer::KafkaDemo.Consumer.Extensions;
using consumer::KafkaDemo.Consumer.Membership;
using consumer::KafkaDemo.Consumer.Stats;
using KafkaDemo.ServiceHosting.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using producer::KafkaDemo.Producer.Extensions;
using producer::KafkaDemo.Producer.Load;
using producer::KafkaDemo.Producer.Sending;
using producer::KafkaDemo.Producer.Stats;

namespace KafkaDemo.IntegrationTests;

/// <summary>
/// The producer and consumer services as they run in production (the same registrations), in
/// this process, without their HTTP servers.
/// </summary>
internal static class DemoServices
{
    public const string Secret = "integration-test-secret-0123456789";

    public static IHost Producer(string bootstrap, string topics, long count, double rate, string instance = "it-producer", params (string Key, string Value)[] extra) =>
        Producer(bootstrap, topics, count, rate, logs: null, instance, extra);

    /// <summary>A producer whose log lines (warnings and above) also go to <paramref name="logs"/>.</summary>
    public static IHost Producer(string bootstrap, string topics, long count, double rate, LogCapture? logs, string instance = "it-producer", params (string Key, string Value)[] extra)
    {
        var builder = Builder(bootstrap, extra.Concat(
        [
            ("Producer:Topics", topics),
            ("Producer:MessageCount", count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Producer:Rate", rate.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Producer:InstanceId", instance),
        ]));
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.AddProducer();
        return builder.Build();
    }

    public static IHost Consumer(string bootstrap, string topics, long count, params (string Key, string Value)[] extra) =>
        Consumer(bootstrap, topics, count, $"it-{Guid.NewGuid():N}", time: null, extra);

    /// <summary>A consumer in a given group, on a given clock (null: the system clock).</summary>
    public static IHost Consumer(string bootstrap, string topics, long count, string group, TimeProvider? time, params (string Key, string Value)[] extra)
    {
        var builder = Builder(bootstrap, extra.Concat(
        [
            ("Consumer:Topics", topics),
            ("Consumer:MessageCount", count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Consumer:GroupId", group),
            ("Consumer:IdleExitSeconds", "60"),
        ]), time);
        builder.AddConsumer();
        return builder.Build();
    }

    public static ProducerMetrics ProducerMetrics(this IHost host) => host.Services.GetRequiredService<ProducerMetrics>();

    public static Task ProducerFinished(this IHost host) => host.Services.GetRequiredService<EnvelopeSender>().Finished;

    public static LoadControl LoadControl(this IHost host) => host.Services.GetRequiredService<LoadControl>();

    public static ConsumerMetrics ConsumerMetrics(this IHost host) => host.Services.GetRequiredService<ConsumerMetrics>();

    public static Task ConsumerFinished(this IHost host) => host.Services.GetRequiredService<EnvelopeConsumer>().Finished;

    /// <summary>Starts a consumer and returns once its group has given it partitions.</summary>
    public static async Task StartAndJoinAsync(this IHost consumer, TimeSpan timeout)
    {
        await consumer.StartAsync();
        var membership = consumer.Services.GetRequiredService<GroupMembership>();
        using var cancel = new CancellationTokenSource(timeout);
        while (!membership.Joined)
        {
            await Task.Delay(50, cancel.Token);
        }
    }

    private static HostApplicationBuilder Builder(string bootstrap, IEnumerable<(string Key, string Value)> settings, TimeProvider? time = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "IntegrationTest" });
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Configuration.AddInMemoryCollection(
            settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)).Concat(
            [
                KeyValuePair.Create("ConnectionStrings:kafka", (string?)bootstrap),
                KeyValuePair.Create("Messaging:HmacSecret", (string?)Secret),
                KeyValuePair.Create("Logging:LogLevel:Default", (string?)"Warning"),
            ]));
        builder.AddEnvelopes();
        return builder;
    }
}
