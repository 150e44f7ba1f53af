extern alias consumer;
extern alias embedded;
extern alias overseer;
extern alias producer;

using System.ComponentModel.DataAnnotations;
using KafkaDemo.Messaging.Validation;
using KafkaDemo.TestSupport;
using consumer::KafkaDemo.Consumer.Options;
using embedded::KafkaDemo.EmbeddedKafka.Cluster;
using overseer::KafkaDemo.Overseer.Agent;
using overseer::KafkaDemo.Overseer.BrokerMetrics;
using overseer::KafkaDemo.Overseer.KubernetesApi;
using overseer::KafkaDemo.Overseer.Options;
using producer::KafkaDemo.Producer.Options;

namespace KafkaDemo.UnitTests.Validation;

/// <summary>The services' options are checked by generated validators from attributes whose messages name the key.</summary>
public sealed class OptionsValidationTests
{
    public static TheoryData<Type, string> AttributedOptions => new()
    {
        { typeof(ProducerOptions), ProducerOptions.SectionName },
        { typeof(ConsumerOptions), ConsumerOptions.SectionName },
        { typeof(EmbeddedKafkaOptions), EmbeddedKafkaOptions.SectionName },
        { typeof(OverseerOptions), OverseerOptions.SectionName },
        { typeof(BrokerMetricsOptions), BrokerMetricsOptions.SectionName },
        { typeof(ClusterOptions), ClusterOptions.SectionName },
        { typeof(AgentOptions), AgentOptions.SectionName },
    };

    [Theory]
    [MemberData(nameof(AttributedOptions))]
    public void Every_attribute_message_starts_with_its_key(Type options, string section)
    {
        Assert.NotEmpty(OptionsKeys.Attributes(options));
        Assert.Empty(OptionsKeys.NotNamingTheirKey(options, section));
    }

    [Fact]
    public void A_range_message_names_the_key_the_bounds_and_the_value_and_nothing_before_the_key()
    {
        var result = new ConsumerOptionsValidator().Validate(null, new ConsumerOptions { IdleExitSeconds = 0, GroupId = " " });

        Assert.Equal(["Consumer:GroupId must not be empty.", "Consumer:IdleExitSeconds must be from 1 to 3600; it is 0."], result.Failures);
    }

    [Fact]
    public void Attributes_and_the_rules_in_code_are_reported_together()
    {
        var result = new ProducerOptionsValidator().Validate(null, new ProducerOptions { Keys = (KeyStrategy)99, Rate = -1 });

        Assert.Equal(
        [
            "Producer:Keys must be one of None, RoundRobin, Random, OneKey; it is 99.",
            "Producer:Rate must be 0 (unthrottled) or from 1 to 5,000,000 messages per second; it is -1.",
        ], result.Failures);
    }

    [Fact]
    public void A_cross_field_rule_in_code_names_both_keys()
    {
        var result = new EmbeddedKafkaOptionsValidator().Validate(null, new EmbeddedKafkaOptions { Brokers = 1, ReplicationFactor = 2 });

        Assert.Equal(["EmbeddedKafka:ReplicationFactor: 2 is more than the 1 broker(s) of EmbeddedKafka:Brokers."], result.Failures);
    }

    [Fact]
    public void An_attribute_without_a_message_naming_the_key_is_a_programming_error()
    {
        var context = new ValidationContext(new object()) { MemberName = "Anything" };

        var error = Assert.Throws<InvalidOperationException>(() => new InRangeAttribute(1, 2).GetValidationResult(3, context));
        Assert.Contains("ErrorMessage", error.Message, StringComparison.Ordinal);
        Assert.Equal(ValidationResult.Success, new InRangeAttribute(1, 2).GetValidationResult(2, context));
    }
}
