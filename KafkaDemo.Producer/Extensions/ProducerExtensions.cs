using System.Text.Json.Serialization;
using Confluent.Kafka;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.Producer.Identity;
using KafkaDemo.Producer.Load;
using KafkaDemo.Producer.Options;
using KafkaDemo.Producer.Sending;
using KafkaDemo.Producer.Stats;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Producer.Extensions;

public static class ProducerExtensions
{
    /// <summary>Name of the Kafka connection (<c>ConnectionStrings:kafka</c>).</summary>
    public const string KafkaConnectionName = "kafka";

    /// <summary>
    /// Registers the producer: validated options, the Kafka client with our delivery defaults,
    /// the send loop, its controls and its measurements.
    /// </summary>
    public static IHostApplicationBuilder AddProducer(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<ProducerOptions>, ProducerOptionsValidator>();
        builder.Services.AddOptions<ProducerOptions>()
            .BindConfiguration(ProducerOptions.SectionName)
            .ValidateOnStart();

        var instanceId = builder.Configuration.GetSection(ProducerOptions.SectionName).Get<ProducerOptions>()?.ResolvedInstanceId() ?? "producer";
        builder.AddKafkaProducer<byte[]?, byte[]>(KafkaConnectionName, settings => ApplyDeliveryDefaults(settings.Config, instanceId));

        builder.Services.AddSingleton<ProducerIdentity>();
        builder.Services.AddSingleton<LoadControl>();
        builder.Services.AddSingleton<ProducerMetrics>();
        builder.Services.AddSingleton<IIntervalMeasurement>(sp => sp.GetRequiredService<ProducerMetrics>());
        builder.Services.AddSingleton<EnvelopeSender>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EnvelopeSender>());
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        return builder;
    }

    /// <summary>
    /// Delivery defaults: every replica acknowledges, idempotence prevents duplicates and reordering,
    /// and batches wait up to 5 ms (librdkafka's default linger), which keeps the embedded broker's
    /// per-batch cost low (see docs/performance.md). Configuration wins over each of them
    /// (Aspire:Confluent:Kafka:Producer:Config:...).
    /// </summary>
    public static void ApplyDeliveryDefaults(ProducerConfig config, string clientId)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Acks ??= Acks.All;
        config.EnableIdempotence ??= true;
        config.LingerMs ??= 5;
        config.BatchSize ??= 131_072;
        config.ClientId ??= clientId;
        // Delivery reports need nothing back: the send time travels in each message's handler
        // (EnvelopeSender.SendTime). "none" keeps Confluent.Kafka from holding the value until the
        // acknowledgement and from reading status, timestamp and headers per report (Confluent.Kafka
        // 2.16 Producer.DeliveryReportCallbackImpl and the dotnet.producer.delivery.report.fields parsing).
        config.DeliveryReportFields ??= "none";
    }
}
