extern alias producer;

using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Limits;
using Microsoft.AspNetCore.Http.HttpResults;
using producer::KafkaDemo.Producer.Api;
using producer::KafkaDemo.Producer.Load;
using producer::KafkaDemo.Producer.Options;
using producer::KafkaDemo.Producer.Sending;

namespace KafkaDemo.UnitTests.Producer;

public sealed class ProducerApiTests : IDisposable
{
    private readonly LoadControl _control = new(Microsoft.Extensions.Options.Options.Create(new ProducerOptions { Rate = 1000 }));

    public void Dispose() => _control.Dispose();

    [Fact]
    public void A_valid_rate_is_applied_and_returned()
    {
        var result = ProducerApi.SetRate(new RateChange(2500), _control);

        var ok = Assert.IsType<Ok<LoadSettings>>(result.Result);
        Assert.Equal(new LoadSettings(2500, false, RateLimit.Max), ok.Value);
        Assert.Equal(2500, _control.TargetRate);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(-5.0)]
    [InlineData(5_000_001.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e-300)] // accepted before, and it stopped the producer for good
    [InlineData(0.999)]
    public void An_invalid_rate_is_a_validation_problem_and_changes_nothing(double? rate)
    {
        var version = _control.Version;

        var result = ProducerApi.SetRate(new RateChange(rate), _control);

        var problem = Assert.IsType<ValidationProblem>(result.Result);
        Assert.Contains("rate", problem.ProblemDetails.Errors.Keys);
        Assert.Equal(1000, _control.TargetRate);
        Assert.Equal(version, _control.Version);
    }

    [Fact]
    public void A_missing_body_is_a_validation_problem()
    {
        Assert.IsType<ValidationProblem>(ProducerApi.SetRate(null, _control).Result);
        Assert.IsType<ValidationProblem>(ProducerApi.SetLoad(null, _control).Result);
        Assert.IsType<ValidationProblem>(ProducerApi.SetLoad(new LoadChange(null), _control).Result);
    }

    [Fact]
    public void Pausing_and_resuming_is_reflected_in_the_settings()
    {
        var paused = Assert.IsType<Ok<LoadSettings>>(ProducerApi.SetLoad(new LoadChange(true), _control).Result);
        Assert.True(paused.Value!.Paused);
        var resumed = Assert.IsType<Ok<LoadSettings>>(ProducerApi.SetLoad(new LoadChange(false), _control).Result);
        Assert.False(resumed.Value!.Paused);
    }

    [Fact]
    public void A_change_wakes_the_send_loop()
    {
        _control.SetRate(10);
        Assert.True(_control.WaitForChange(TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.False(_control.WaitForChange(TimeSpan.FromMilliseconds(10), CancellationToken.None));
    }
}
