using System.Text.Json.Serialization;
using Confluent.Kafka;
using KafkaDemo.Consumer.Consuming;
using KafkaDemo.Consumer.Options;
using KafkaDemo.Consumer.Stats;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.Messaging.Sequencing;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Consumer.Extensions;

public static class ConsumerExtensions
{
    /// <summary>Name of the Kafka connection (<c>ConnectionStrings:kafka</c>).</summary>
    public const string KafkaConnectionName = "kafka";

    /// <summary>Health check that passes once the consumer has joined its group.</summary>
    public const string GroupHealthCheckName = "consumer-group";

    /// <summary>
    /// Registers the consumer: validated options, the Kafka client with our defaults and partition
    /// handlers, the consume loop and its measurements.
    /// </summary>
    public static IHostApplicationBuilder AddConsumer(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<ConsumerOptions>, ConsumerOptionsValidator>();
        builder.Services.AddOptions<ConsumerOptions>()
            .BindConfiguration(ConsumerOptions.SectionName)
            .ValidateOnStart();

        var options = builder.Configuration.GetSection(ConsumerOptions.SectionName).Get<ConsumerOptions>() ?? new ConsumerOptions();
        builder.AddKafkaConsumer<Ignore, byte[]>(
            KafkaConnectionName,
            settings => ApplyConsumerDefaults(settings.Config, options.GroupId, options.ResolvedInstanceId()),
            (sp, consumer) => TrackPartitions(consumer, sp.GetRequiredService<GroupMembership>(), sp.GetRequiredService<SequenceTracker>()));

        builder.Services.AddSingleton<SequenceTracker>();
        builder.Services.AddSingleton<GroupMembership>();
        builder.Services.AddHealthChecks().AddCheck<GroupMembership>(GroupHealthCheckName);
        builder.Services.AddSingleton<ConsumerMetrics>();
        builder.Services.AddSingleton<IIntervalMeasurement>(sp => sp.GetRequiredService<ConsumerMetrics>());
        builder.Services.AddSingleton<EnvelopeConsumer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EnvelopeConsumer>());
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        return builder;
    }

    /// <summary>
    /// Consumer defaults: read from the start of a partition the group has never committed, and
    /// commit in the background every second. Offsets are stored by the consume loop only once a
    /// record has been verified and recorded (enable.auto.offset.store=false, not configurable),
    /// so the background commit never covers a record that was not handled: a consumer that dies
    /// reads it again instead of skipping it. Configuration wins over each of the others
    /// (Aspire:Confluent:Kafka:Consumer:Config:...). fetch.wait.max.ms keeps librdkafka's 500 ms,
    /// right for real brokers, which answer a waiting fetch as soon as data arrives; the AppHost
    /// lowers it to 1 ms for the embedded broker, whose fetch waits out the whole time.
    /// fetch.queue.backoff.ms drops from librdkafka's 1000 ms to 10 ms: once the pre-fetch queue is
    /// full the fetcher otherwise pauses a whole second, and a consumer that empties the queue
    /// faster than that (ours does, when catching up) idles for the rest of it. Measured on a
    /// pre-filled topic this doubles the catch-up rate (docs/performance.md).
    /// </summary>
    public static void ApplyConsumerDefaults(ConsumerConfig config, string groupId, string clientId)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.GroupId ??= groupId;
        config.ClientId ??= clientId;
        config.AutoOffsetReset ??= AutoOffsetReset.Earliest;
        config.EnableAutoCommit ??= true;
        config.AutoCommitIntervalMs ??= 1000;
        config.EnableAutoOffsetStore = false;
        config.FetchQueueBackoffMs ??= 10;
    }

    /// <summary>Keeps group membership and the sequence tracker in step with partition assignment.</summary>
    public static void TrackPartitions(ConsumerBuilder<Ignore, byte[]> consumer, GroupMembership membership, SequenceTracker tracker)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(tracker);

        void Release(IEnumerable<TopicPartition> partitions)
        {
            var released = partitions.ToList();
            membership.Revoked(released);
            foreach (var tp in released)
            {
                // Whoever reads it next starts a new baseline; nothing they read counts as lost here.
                tracker.ForgetPartition(tp.Topic, tp.Partition.Value);
            }
        }

        consumer.SetPartitionsAssignedHandler((_, partitions) => membership.Assigned(partitions));
        consumer.SetPartitionsRevokedHandler((_, partitions) => Release(partitions.Select(p => p.TopicPartition)));
        consumer.SetPartitionsLostHandler((_, partitions) => Release(partitions.Select(p => p.TopicPartition)));
    }
}
