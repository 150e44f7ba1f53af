extern alias producer;

using KafkaDemo.Messaging.Measurement;
using Microsoft.Extensions.Time.Testing;
using producer::KafkaDemo.Producer.Sending;

namespace KafkaDemo.UnitTests.Producer;

public sealed class RateScheduleTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    /// <summary>Runs the send loop's decision against the fake clock: how many messages are due by now.</summary>
    private static long SendDue(RateSchedule schedule, long sent, long nowMicros, List<(long Intended, long Actual)>? log = null)
    {
        while (schedule.MicrosUntilDue(sent, nowMicros) <= 0)
        {
            log?.Add((schedule.IsUnthrottled ? nowMicros : schedule.IntendedMicros(sent), nowMicros));
            sent++;
            if (schedule.IsUnthrottled)
            {
                break;
            }
        }

        return sent;
    }

    [Fact]
    public void At_1000_per_second_one_message_is_due_every_millisecond()
    {
        var schedule = new RateSchedule();
        var start = _clock.Now();
        schedule.Start(start, 1000, index: 0);

        Assert.Equal(start, schedule.IntendedMicros(0));
        Assert.Equal(start + 1_000, schedule.IntendedMicros(1));
        Assert.Equal(start + 1_000_000, schedule.IntendedMicros(1000));

        long sent = 0;
        for (var ms = 0; ms < 250; ms++)
        {
            sent = SendDue(schedule, sent, _clock.Now());
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(250, sent);
    }

    [Fact]
    public void A_late_producer_keeps_the_intended_times_so_the_delay_is_visible()
    {
        var schedule = new RateSchedule();
        schedule.Start(_clock.Now(), 1000, index: 0);
        var log = new List<(long Intended, long Actual)>();

        // Stalled for 50 ms: the 51 messages due by then go out at once, each with its own intended time.
        _clock.Advance(TimeSpan.FromMilliseconds(50));
        SendDue(schedule, 0, _clock.Now(), log);

        Assert.Equal(51, log.Count);
        Assert.Equal(50_000, log[0].Actual - log[0].Intended);
        Assert.Equal(0, log[^1].Actual - log[^1].Intended);
    }

    [Fact]
    public void Changing_the_rate_continues_from_the_next_intended_time()
    {
        var schedule = new RateSchedule();
        var start = _clock.Now();
        schedule.Start(start, 1000, index: 0);

        schedule.ChangeRate(4000, nextIndex: 500, nowMicros: start + 499_900);

        Assert.Equal(4000, schedule.Rate);
        Assert.Equal(start + 500_000, schedule.IntendedMicros(500));
        Assert.Equal(start + 500_250, schedule.IntendedMicros(501));
        Assert.Equal(start + 750_000, schedule.IntendedMicros(1500));
    }

    [Fact]
    public void Unthrottled_means_every_message_is_due_now_and_leaving_it_anchors_at_now()
    {
        var schedule = new RateSchedule();
        schedule.Start(_clock.Now(), 0, index: 0);
        Assert.True(schedule.IsUnthrottled);
        Assert.Equal(0, schedule.MicrosUntilDue(1_000_000, _clock.Now()));

        _clock.Advance(TimeSpan.FromSeconds(3));
        var now = _clock.Now();
        schedule.ChangeRate(100, nextIndex: 1_000_000, nowMicros: now);

        Assert.Equal(now, schedule.IntendedMicros(1_000_000));
        Assert.Equal(10_000, schedule.MicrosUntilDue(1_000_001, now));
    }

    [Fact]
    public void Restarting_after_a_pause_does_not_count_the_pause_as_lag()
    {
        var schedule = new RateSchedule();
        schedule.Start(_clock.Now(), 1000, index: 0);
        _clock.Advance(TimeSpan.FromSeconds(10)); // paused
        var resumedAt = _clock.Now();
        schedule.Start(resumedAt, 1000, index: 100);

        Assert.Equal(resumedAt, schedule.IntendedMicros(100));
        Assert.True(schedule.MicrosUntilDue(101, resumedAt) > 0);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(1e-300)] // accepted before: message 2 was due in 10^306 µs, which overflowed and never came
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    public void A_rate_that_is_not_a_valid_rate_is_refused(double rate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateSchedule().Start(0, rate, 0));
        var running = new RateSchedule();
        running.Start(0, 1000, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => running.ChangeRate(rate, 10, 10_000));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.5)]
    [InlineData(1000.0)]
    [InlineData(5_000_000.0)]
    [InlineData(0.0)]
    public void Any_change_takes_effect_at_once_whatever_the_previous_rate(double previous)
    {
        var schedule = new RateSchedule();
        schedule.Start(_clock.Now(), previous, index: 0);
        var sent = SendDue(schedule, 0, _clock.Now());

        // 10 ms later, keeping to the schedule (well inside the old interval at low rates), the rate goes to 5000/s.
        for (var ms = 0; ms < 10; ms++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            sent = SendDue(schedule, sent, _clock.Now());
        }

        var changedAt = _clock.Now();
        schedule.ChangeRate(5000, sent, changedAt);

        // The next message is due within one new interval (200 µs), not at the end of the old one...
        Assert.InRange(schedule.MicrosUntilDue(sent, changedAt), long.MinValue, 200);

        // ...and the new rate holds from then on: 5000 messages in the next second.
        var before = sent;
        for (var step = 0; step < 1000; step++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            sent = SendDue(schedule, sent, _clock.Now());
        }

        Assert.InRange(sent - before, 4_999, 5_001);
    }

    [Fact]
    public void Far_from_its_anchor_the_schedule_saturates_instead_of_overflowing()
    {
        var schedule = new RateSchedule();
        var now = _clock.Now();
        schedule.Start(now, 1, index: 0);

        Assert.Equal(long.MaxValue, schedule.IntendedMicros(long.MaxValue));
        Assert.True(schedule.MicrosUntilDue(long.MaxValue, now) > 0, "A message far in the future came due.");
        Assert.Equal(long.MinValue, schedule.IntendedMicros(long.MinValue));
        Assert.True(schedule.MicrosUntilDue(long.MinValue, now) < 0, "A message long overdue was not due.");
        Assert.True(schedule.MicrosUntilDue(1, long.MinValue) > 0);
        Assert.True(schedule.MicrosUntilDue(1, long.MaxValue) < 0);
    }
}
