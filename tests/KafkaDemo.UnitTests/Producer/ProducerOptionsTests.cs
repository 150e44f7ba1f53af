extern alias producer;

using Microsoft.Extensions.Options;
using producer::KafkaDemo.Producer.Identity;
using producer::KafkaDemo.Producer.Options;
using producer::KafkaDemo.Producer.Sending;

namespace KafkaDemo.UnitTests.Producer;

public sealed class ProducerOptionsTests
{
    private static ValidateOptionsResult Validate(Action<ProducerOptions> change)
    {
        var options = new ProducerOptions();
        change(options);
        return new ProducerOptionsValidator().Validate(null, options);
    }

    [Fact]
    public void The_defaults_are_valid() => Assert.True(Validate(_ => { }).Succeeded);

    [Theory]
    [InlineData("Producer:Rate", -1.0)]
    [InlineData("Producer:Rate", double.NaN)]
    [InlineData("Producer:Rate", double.PositiveInfinity)]
    [InlineData("Producer:Rate", 6_000_000.0)]
    [InlineData("Producer:Rate", 1e-300)]
    [InlineData("Producer:Rate", 0.5)]
    public void An_invalid_rate_names_its_key(string key, double rate)
    {
        var result = Validate(o => o.Rate = rate);
        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10", "out of range")]
    [InlineData("2000000", "out of range")]
    [InlineData("600-100", "out of range")]
    [InlineData("big", "is not a size")]
    [InlineData("1-2-3", "is not a size")]
    public void An_invalid_size_names_its_key_and_says_why(string size, string why)
    {
        var result = Validate(o => o.MessageSize = size);
        Assert.True(result.Failed);
        Assert.Contains("Producer:MessageSize", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(why, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_size_too_small_for_the_longest_topic_name_names_the_topic_and_the_size_it_needs()
    {
        Assert.True(Validate(o => (o.MessageSize, o.Topics) = ("99", "orders:1")).Succeeded); // 93 + 6

        var result = Validate(o => (o.MessageSize, o.Topics) = ("100-200", "orders:1,a-rather-long-topic-name:1"));

        Assert.True(result.Failed);
        Assert.Contains("Producer:MessageSize", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("'a-rather-long-topic-name', which needs at least 117", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var result = Validate(o =>
        {
            o.Topics = "no good";
            o.KeyCount = 0;
            o.MessageCount = -1;
            o.Keys = (KeyStrategy)99;
        });

        Assert.Contains("Producer:Topics", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Producer:KeyCount", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Producer:MessageCount", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Producer:Keys", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Sizes_parse_as_fixed_or_range()
    {
        Assert.True(MessageSizeRange.TryParse("512", out _, out var fixedSize));
        Assert.True(fixedSize.IsFixed);
        Assert.True(MessageSizeRange.TryParse("256-4096", out _, out var range));
        Assert.Equal(new MessageSizeRange(256, 4096), range);
        Assert.Equal("256-4096", range.ToString());
    }

    [Fact]
    public void The_producer_id_is_stable_for_an_instance_name_and_differs_between_names()
    {
        Assert.Equal(ProducerIdentity.IdFor("producer"), ProducerIdentity.IdFor("producer"));
        Assert.NotEqual(ProducerIdentity.IdFor("producer"), ProducerIdentity.IdFor("producer-2"));
        Assert.Equal(8, ProducerIdentity.IdFor("producer").Version);
    }
}
