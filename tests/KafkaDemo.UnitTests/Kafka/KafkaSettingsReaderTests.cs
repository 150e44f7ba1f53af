using Confluent.Kafka;
using KafkaDemo.ServiceDefaults.Kafka;
using Microsoft.Extensions.Configuration;

namespace KafkaDemo.UnitTests.Kafka;

public sealed class KafkaSettingsReaderTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void Without_bootstrap_servers_the_error_says_which_keys_to_set()
    {
        var error = Assert.Throws<InvalidOperationException>(() => KafkaSettingsReader.ReadProducer(Config(), "kafka", null));

        Assert.StartsWith("No bootstrap servers configured.", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:kafka", error.Message, StringComparison.Ordinal);
        Assert.Contains("Aspire:Confluent:Kafka:Producer:Config", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_consumer_without_a_group_id_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            KafkaSettingsReader.ReadConsumer(Config(("ConnectionStrings:kafka", "h:9092")), "kafka", null));

        Assert.StartsWith("No group id configured.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Aspire:Confluent:Kafka:Consumer:Config:GroupId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_connection_string_becomes_the_bootstrap_servers_and_wins_over_the_config_section()
    {
        var settings = KafkaSettingsReader.ReadProducer(
            Config(("ConnectionStrings:kafka", "a:9092,b:9092"), ("Aspire:Confluent:Kafka:Producer:Config:BootstrapServers", "ignored:1")),
            "kafka",
            null);

        Assert.Equal("a:9092,b:9092", settings.Config.BootstrapServers);
    }

    [Fact]
    public void Property_names_and_raw_librdkafka_keys_both_bind()
    {
        var settings = KafkaSettingsReader.ReadProducer(
            Config(
                ("ConnectionStrings:kafka", "h:9092"),
                ("Aspire:Confluent:Kafka:Producer:Config:LingerMs", "7"),
                ("Aspire:Confluent:Kafka:Producer:Config:Acks", "Leader"),
                ("Aspire:Confluent:Kafka:Producer:Config:queue.buffering.max.kbytes", "2048"),
                ("Aspire:Confluent:Kafka:Producer:Config:debug", "broker")),
            "kafka",
            null);

        Assert.Equal(7, settings.Config.LingerMs);
        Assert.Equal(Acks.Leader, settings.Config.Acks);
        Assert.Equal("2048", settings.Config.Get("queue.buffering.max.kbytes"));
        Assert.Equal("broker", settings.Config.Debug);
    }

    [Fact]
    public void The_section_named_after_the_connection_overrides_the_shared_one()
    {
        var settings = KafkaSettingsReader.ReadProducer(
            Config(
                ("ConnectionStrings:kafka", "h:9092"),
                ("Aspire:Confluent:Kafka:Producer:Config:linger.ms", "1"),
                ("Aspire:Confluent:Kafka:Producer:kafka:Config:linger.ms", "9"),
                ("Aspire:Confluent:Kafka:Producer:DisableHealthChecks", "true")),
            "kafka",
            null);

        Assert.Equal(9, settings.Config.LingerMs);
        Assert.True(settings.DisableHealthChecks);
    }

    [Fact]
    public void Code_defaults_fill_only_what_configuration_left_open()
    {
        var settings = KafkaSettingsReader.ReadProducer(
            Config(("ConnectionStrings:kafka", "h:9092"), ("Aspire:Confluent:Kafka:Producer:Config:acks", "1")),
            "kafka",
            s =>
            {
                s.Config.Acks ??= Acks.All;
                s.Config.LingerMs ??= 5;
            });

        Assert.Equal(Acks.Leader, settings.Config.Acks);
        Assert.Equal(5, settings.Config.LingerMs);
    }

    [Fact]
    public void Metrics_turn_on_statistics_unless_disabled()
    {
        var on = KafkaSettingsReader.ReadProducer(Config(("ConnectionStrings:kafka", "h:9092")), "kafka", null);
        var off = KafkaSettingsReader.ReadProducer(
            Config(("ConnectionStrings:kafka", "h:9092"), ("Aspire:Confluent:Kafka:Producer:DisableMetrics", "true")), "kafka", null);

        Assert.Equal(KafkaSettingsReader.DefaultStatisticsIntervalMs, on.Config.StatisticsIntervalMs);
        Assert.Null(off.Config.StatisticsIntervalMs);
    }
}
