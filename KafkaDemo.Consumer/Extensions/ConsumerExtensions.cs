using System.Text.Json.Serialization;
using Confluent.Kafka;
using KafkaDemo.Consumer.Consuming;
using KafkaDemo.Consumer.Membership;
using KafkaDemo.Consumer.Options;
using KafkaDemo.Consumer.Positions;
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
            (sp, consumer) => TrackPartitions(
                consumer,
                sp.GetRequiredService<GroupMembership>(),
                sp.GetRequiredService<SequenceTracker>(),
                sp.GetRequiredService<ReadPositions>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ReadPositions).FullName!)));

        var bootstrap = builder.Configuration.GetConnectionString(KafkaConnectionName) ?? "";
        builder.Services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<ConsumerOptions>>().Value;
            var path = Path.Combine(settings.ResolvedStateDirectory(), ReadPositions.FileName(settings.GroupId, settings.ResolvedInstanceId(), bootstrap));
            var positions = ReadPositions.Open(path);
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ReadPositions).FullName!);
            if (positions.Problem is { } problem)
            {
                PositionsLog.NotKept(logger, problem);
            }
            else
            {
                PositionsLog.Kept(logger, path);
            }

            return positions;
        });
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
    /// queued.max.messages.kbytes drops from librdkafka's 65,536 (64 MiB of pre-fetched records,
    /// native memory in the consumer's RSS) to 16,384: at 50,000 msg/s of 512 B that is still about
    /// half a second of records ahead of the consume loop (docs/performance.md, memory).
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
        config.QueuedMaxMessagesKbytes ??= 16_384;
    }

    /// <summary>
    /// Keeps group membership, the sequence tracker and the read positions in step with partition
    /// assignment and commits. On assignment, a partition this consumer's previous run had handled
    /// (consistently with the group's committed offset) is resumed: the records it reads again are
    /// redelivered, and the ones removed from the log since are lost.
    /// </summary>
    public static void TrackPartitions(
        ConsumerBuilder<Ignore, byte[]> consumer, GroupMembership membership, SequenceTracker tracker, ReadPositions positions, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(logger);

        void Assign(IConsumer<Ignore, byte[]> client, List<TopicPartition> partitions)
        {
            membership.Assigned(partitions);
            if (!positions.IsKept || partitions.Count == 0)
            {
                return;
            }

            List<TopicPartitionOffset> committed;
            try
            {
                committed = client.Committed(partitions, TimeSpan.FromSeconds(10));
            }
            catch (KafkaException ex)
            {
                PositionsLog.CommittedUnknown(logger, ex);
                return;
            }

            foreach (var tpo in committed)
            {
                if (positions.Resume(tpo.Topic, tpo.Partition.Value, tpo.Offset.Value) is not { } handled)
                {
                    continue;
                }

                // Even with nothing to read again, the tracker learns where this partition goes on:
                // records after `handled` that retention removed meanwhile count as lost.
                tracker.ResumePartition(tpo.Topic, tpo.Partition.Value, handled);
                if (handled >= tpo.Offset.Value)
                {
                    PositionsLog.Resuming(logger, tpo.Topic, tpo.Partition.Value, tpo.Offset.Value, handled, handled - tpo.Offset.Value + 1);
                }
            }
        }

        void Release(IEnumerable<TopicPartition> partitions)
        {
            var released = partitions.ToList();
            membership.Revoked(released);
            foreach (var tp in released)
            {
                // Whoever reads it next starts a new baseline; nothing they read counts as lost here.
                tracker.ForgetPartition(tp.Topic, tp.Partition.Value);
                positions.Release(tp.Topic, tp.Partition.Value);
            }
        }

        consumer.SetPartitionsAssignedHandler(Assign);
        consumer.SetPartitionsRevokedHandler((_, partitions) => Release(partitions.Select(p => p.TopicPartition)));
        consumer.SetPartitionsLostHandler((_, partitions) => Release(partitions.Select(p => p.TopicPartition)));
        consumer.SetOffsetsCommittedHandler((_, committed) =>
        {
            foreach (var tpo in committed.Offsets.Where(o => !o.Error.IsError))
            {
                positions.Committed(tpo.Topic, tpo.Partition.Value, tpo.Offset.Value);
            }
        });
    }
}
