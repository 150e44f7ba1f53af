extern alias overseer;

using Microsoft.Extensions.Time.Testing;
using overseer::KafkaDemo.Overseer.Control;
using overseer::KafkaDemo.Overseer.StrimziWatch;

namespace KafkaDemo.UnitTests.Agent;

/// <summary>The headline: measuring until a rate holds, the best rate per configuration, earlier ones kept.</summary>
public sealed class SustainableRateRecordTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 5, 0, 0, TimeSpan.Zero));

    [Fact]
    public void It_says_measuring_until_a_rate_has_held_then_keeps_the_best()
    {
        var record = new SustainableRateRecord(_time);
        Assert.True(record.Current.Measuring);
        Assert.Equal("measuring", record.Current.Describe());

        record.Held(20_000, 18);
        record.Held(30_000, 22);
        _time.Advance(TimeSpan.FromMinutes(10));
        record.Held(25_000, 15);

        Assert.Equal(30_000, record.Current.Rate);
        Assert.Equal(22, record.Current.P99Ms);
    }

    [Fact]
    public void A_configuration_change_starts_a_new_measurement_and_keeps_the_previous_one()
    {
        var record = new SustainableRateRecord(_time);
        record.Held(30_000, 22);
        _time.Advance(TimeSpan.FromMinutes(5));

        record.OnClusterChange(new ClusterChange(_time.GetUtcNow(), "Kafka kafkademo", 2, "kubectl-patch", [new SpecChange("num.io.threads", "2", "4")]));

        Assert.True(record.Current.Measuring);
        Assert.Equal("num.io.threads 2→4 (kubectl-patch)", record.Current.Configuration);
        var previous = Assert.Single(record.Previous);
        Assert.Equal(30_000, previous.Rate);
        Assert.Equal(_time.GetUtcNow(), previous.Until);
        record.Held(42_000, 20);
        Assert.Equal(42_000, record.Current.Rate);
    }

    [Fact]
    public void A_metadata_only_change_keeps_the_measurement_and_a_topic_change_starts_a_new_one()
    {
        var record = new SustainableRateRecord(_time);
        record.Held(30_000, 22);

        record.OnClusterChange(new ClusterChange(_time.GetUtcNow(), "Kafka kafkademo", 1, "kubectl-annotate",
            [new SpecChange("metadata.annotations.team", null, "agents")], ClusterChangeKind.Metadata));
        Assert.Equal(30_000, record.Current.Rate);
        Assert.Empty(record.Previous);

        record.OnClusterChange(new ClusterChange(_time.GetUtcNow(), "KafkaTopic orders", 2, "kubectl-patch",
            [new SpecChange("config.retention.ms", null, "1000")]));
        Assert.True(record.Current.Measuring);
        Assert.Equal("KafkaTopic orders: config.retention.ms (unset)→1000 (kubectl-patch)", record.Current.Configuration);
    }
}
