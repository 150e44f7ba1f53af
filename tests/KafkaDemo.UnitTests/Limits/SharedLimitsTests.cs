extern alias overseer;

using KafkaDemo.Messaging.Limits;
using overseer::KafkaDemo.Overseer.Api;
using overseer::KafkaDemo.Overseer.Control;

namespace KafkaDemo.UnitTests.Limits;

/// <summary>The one definition of a valid rate, SLO and controller setting, and the entry points that use it.</summary>
public sealed class SharedLimitsTests
{
    [Theory]
    [InlineData(0.0, true)]
    [InlineData(1.0, true)]
    [InlineData(7.3, true)]
    [InlineData(5_000_000.0, true)]
    [InlineData(0.999, false)]
    [InlineData(1e-300, false)]
    [InlineData(double.Epsilon, false)]
    [InlineData(-0.5, false)]
    [InlineData(5_000_000.5, false)]
    [InlineData(double.NaN, false)]
    [InlineData(double.PositiveInfinity, false)]
    public void A_rate_is_unthrottled_or_at_least_one_per_second_up_to_the_maximum(double rate, bool valid)
    {
        Assert.Equal(valid, RateLimit.IsValid(rate));
        Assert.Equal(valid, RateLimit.Problem(rate) is null);
    }

    [Theory]
    [InlineData(0.0, 3, true)]
    [InlineData(3.0, 3, true)]
    [InlineData(2.0, 3, false)] // 0.67 each
    [InlineData(1.0, 2, false)]
    [InlineData(5_000_000.0, 2, true)]
    [InlineData(5_000_001.0, 2, false)] // the fleet's maximum is the producer's
    [InlineData(1e-300, 1, false)]
    public void A_total_rate_must_split_into_valid_rates(double total, int producers, bool valid)
    {
        Assert.Equal(valid, RateLimit.TotalProblem(total, producers) is null);
    }

    [Fact]
    public void The_overseer_refuses_the_same_rates_as_the_producer_and_says_why()
    {
        Assert.Null(ControlInputs.RateProblem(0, 1));
        Assert.Null(ControlInputs.RateProblem(RateLimit.Max, 1));
        Assert.Contains("from 1 to 5,000,000", ControlInputs.RateProblem(1e-300, 1), StringComparison.Ordinal);
        Assert.Contains("each of the 2 producers", ControlInputs.RateProblem(1, 2), StringComparison.Ordinal);
        Assert.Contains("missing", ControlInputs.RateProblem(null, 1), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1.0, true)]
    [InlineData(25.0, true)]
    [InlineData(60_000.0, true)]
    [InlineData(0.5, false)]
    [InlineData(1e-300, false)]
    [InlineData(0.0, false)]
    [InlineData(60_001.0, false)]
    [InlineData(double.NaN, false)]
    public void An_slo_is_at_least_a_millisecond(double slo, bool valid)
    {
        Assert.Equal(valid, SloLimit.IsValid(slo));
        Assert.Equal(valid, ControlInputs.SloProblem(slo) is null);
    }

    [Fact]
    public void The_overseer_controller_starts_from_the_shared_defaults()
    {
        var settings = new ControllerSettings();

        Assert.Equal(ControllerLimits.DefaultEnabled, settings.Enabled);
        Assert.Equal(ControllerLimits.DefaultSloP99Ms, settings.SloP99Ms);
        Assert.Equal(ControllerLimits.DefaultMinRate, settings.MinRate);
        Assert.Equal(ControllerLimits.DefaultMaxRate, settings.MaxRate);
        Assert.Equal(ControllerLimits.DefaultWindowSeconds, settings.WindowSeconds);
        Assert.Empty(settings.Problems("Overseer:Controller"));
    }

    [Theory]
    [InlineData(0.5, 200.0, 200_000.0, 5, "Overseer:Controller:SloP99Ms")]
    [InlineData(25.0, 0.5, 200_000.0, 5, "Overseer:Controller:MinRate")]
    [InlineData(25.0, 200.0, 6_000_000.0, 5, "Overseer:Controller:MaxRate")]
    [InlineData(25.0, 200.0, 100.0, 5, "Overseer:Controller:MaxRate")]
    [InlineData(25.0, 200.0, 200_000.0, 0, "Overseer:Controller:WindowSeconds")]
    public void A_bad_controller_setting_names_its_key(double slo, double minRate, double maxRate, int window, string key)
    {
        var settings = new ControllerSettings { SloP99Ms = slo, MinRate = minRate, MaxRate = maxRate, WindowSeconds = window };

        Assert.Contains(settings.Problems("Overseer:Controller"), p => p.StartsWith(key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(nameof(ControllerSettings.IncreaseFactor), 1.0)]
    [InlineData(nameof(ControllerSettings.ReprobeFactor), 0.9)]
    [InlineData(nameof(ControllerSettings.DecreaseFactor), 1.0)]
    [InlineData(nameof(ControllerSettings.BackOffFactor), 0.0)]
    [InlineData(nameof(ControllerSettings.ConfirmWindows), 1.0)]
    [InlineData(nameof(ControllerSettings.MemorySeconds), 0.0)]
    [InlineData(nameof(ControllerSettings.Headroom), 1.0)]
    public void A_bad_controller_tuning_setting_names_its_key_alone(string key, double value)
    {
        var settings = new ControllerSettings();
        var property = typeof(ControllerSettings).GetProperty(key)!;
        property.SetValue(settings, Convert.ChangeType(value, property.PropertyType, System.Globalization.CultureInfo.InvariantCulture));

        var problem = Assert.Single(settings.Problems("Overseer:Controller"));
        Assert.StartsWith($"Overseer:Controller:{key} ", problem, StringComparison.Ordinal);
    }
}
