using KafkaDemo.Messaging.Measurement;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KafkaDemo.UnitTests.Measurement;

public sealed class RateMeterTests
{
    [Fact]
    public void Rates_over_one_and_ten_intervals_come_from_the_sampled_totals()
    {
        long total = 0;
        var meter = new RateMeter(() => total);
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_000));
        meter.Sample(clock.Now());

        // 10 seconds at 100/s, then one second at 1000/s.
        for (var s = 0; s < 10; s++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            total += 100;
            meter.Sample(clock.Now());
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        total += 1000;
        meter.Sample(clock.Now());

        var rates = meter.Rates();
        Assert.Equal(1000, rates.Last1s);
        Assert.Equal((9 * 100 + 1000) / 10.0, rates.Last10s);
    }

    [Fact]
    public void With_fewer_than_two_samples_the_rate_is_zero()
    {
        var meter = new RateMeter(() => 5);
        Assert.Equal(0, meter.Rates().Last1s);
        meter.Sample(1_000_000);
        Assert.Equal(0, meter.Rates().Last10s);
    }

    [Fact]
    public async Task The_interval_clock_closes_intervals_on_whole_seconds_of_the_fake_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000_400));
        using var measurement = new RecordingMeasurement();
        using var intervalClock = new IntervalClock([measurement], clock, NullLogger<IntervalClock>.Instance);
        await intervalClock.StartAsync(CancellationToken.None);

        // The clock's loop starts on a background thread; step fake time until three intervals closed.
        for (var step = 0; step < 100 && measurement.Count < 3; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            await measurement.WaitForTickAsync(TimeSpan.FromMilliseconds(50));
        }

        await intervalClock.StopAsync(CancellationToken.None);
        Assert.Equal([1_000_001L, 1_000_002, 1_000_003], measurement.Labels.Take(3));
    }

    [Fact]
    public async Task Labels_stay_unique_and_increasing_even_when_time_jumps()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(2_000_000_900));
        using var measurement = new RecordingMeasurement();
        using var intervalClock = new IntervalClock([measurement], clock, NullLogger<IntervalClock>.Instance);
        await intervalClock.StartAsync(CancellationToken.None);

        // Small steps, then a 5 s stall, then small steps again.
        var steps = Enumerable.Repeat(TimeSpan.FromMilliseconds(300), 10)
            .Append(TimeSpan.FromSeconds(5))
            .Concat(Enumerable.Repeat(TimeSpan.FromMilliseconds(300), 10));
        foreach (var step in steps)
        {
            clock.Advance(step);
            await measurement.WaitForTickAsync(TimeSpan.FromMilliseconds(50));
        }

        await intervalClock.StopAsync(CancellationToken.None);
        var labels = measurement.Labels.ToList();
        Assert.NotEmpty(labels);
        Assert.Equal(labels.Distinct().Count(), labels.Count);
        Assert.Equal(labels.Order(), labels);
        Assert.True(labels[^1] <= clock.GetUtcNow().ToUnixTimeSeconds(), "A second was closed before it ended.");
    }

    private sealed class RecordingMeasurement : IIntervalMeasurement, IDisposable
    {
        private readonly SemaphoreSlim _closed = new(0);

        public List<long> Labels { get; } = [];

        public void Dispose() => _closed.Dispose();

        public void CloseInterval(long endUnixSeconds, long nowMicros)
        {
            lock (Labels)
            {
                Labels.Add(endUnixSeconds);
            }

            _closed.Release();
        }

        public int Count
        {
            get
            {
                lock (Labels)
                {
                    return Labels.Count;
                }
            }
        }

        public Task<bool> WaitForTickAsync(TimeSpan timeout) => _closed.WaitAsync(timeout);
    }
}
