extern alias consumer;

using consumer::KafkaDemo.Consumer.Options;
using KafkaDemo.ServiceHosting.Endpoints;
using KafkaDemo.ServiceHosting.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KafkaDemo.UnitTests.Consumer;

public sealed class ConsumerOptionsTests
{
    [Fact]
    public void The_defaults_are_valid() =>
        Assert.True(new ConsumerOptionsValidator().Validate(null, new ConsumerOptions()).Succeeded);

    [Fact]
    public void Invalid_settings_name_their_keys()
    {
        var result = new ConsumerOptionsValidator().Validate(null, new ConsumerOptions
        {
            Topics = "",
            GroupId = " ",
            MessageCount = -3,
            IdleExitSeconds = 0,
        });

        Assert.True(result.Failed);
        foreach (var key in new[] { "Consumer:Topics", "Consumer:GroupId", "Consumer:MessageCount", "Consumer:IdleExitSeconds" })
        {
            Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("fifteen-bytes!!")]
    public void A_missing_or_short_secret_names_the_key_and_where_it_comes_from(string secret)
    {
        var result = new MessagingOptionsValidator().Validate(null, new MessagingOptions { HmacSecret = secret });

        Assert.True(result.Failed);
        Assert.Contains("Messaging:HmacSecret", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("hmac-secret", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_interval_label_is_a_validation_problem()
    {
        var result = IntervalsEndpoint.Handle(-1, "consumer");
        var problem = Assert.IsType<ValidationProblem>(result.Result);
        Assert.Contains("after", problem.ProblemDetails.Errors.Keys);
    }
}
