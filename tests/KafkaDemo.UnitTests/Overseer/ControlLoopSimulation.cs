extern alias overseer;

using HdrHistogram;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Measurement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using overseer::KafkaDemo.Overseer.Aggregation;
using overseer::KafkaDemo.Overseer.Control;
using overseer::KafkaDemo.Overseer.Fleet;
using overseer::KafkaDemo.Overseer.Timeline;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace KafkaDemo.UnitTests.Overseer;

/// <summary>
/// The Overseer's real <see cref="ControlLoop"/> (and through it the <see cref="RateController"/> and
/// the <see cref="SustainableRateRecord"/>) against a <see cref="SimulatedPlant"/>, one second at a
/// time on a fake clock, as the fleet monitor feeds it: each second is released one second after it
/// ended, as merged histograms, with the producers' target as the fleet reports it then. A new rate
/// takes effect from the next second, as the producers apply it within one.
/// </summary>
internal sealed class ControlLoopSimulation : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ControllerMetrics _metrics;
    private readonly SimulatedPlant _plant;
    private readonly Fleet _fleet;
    private readonly MergedInterval[] _ring;
    private readonly HistogramBase _empty = LatencyHistograms.Create();
    private readonly double _sloMs;
    private int _next;

    public ControlLoopSimulation(SimulatedPlant plant, ControllerSettings settings, double startRate)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _plant = plant;
        _sloMs = settings.SloP99Ms;
        _fleet = new Fleet(startRate);
        var options = MsOptions.Create(settings);
        _metrics = new ControllerMetrics(_meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), new FleetState(), options);
        Record = new SustainableRateRecord(Clock);
        Loop = new ControlLoop(_fleet, Record, Timeline, _metrics, options, Clock, NullLogger<ControlLoop>.Instance);

        // The loop holds at most a window of seconds; reuse their histograms (188 KB each) after that.
        _ring = [.. Enumerable.Range(0, settings.WindowSeconds + 8).Select(_ => new MergedInterval(0, LatencyHistograms.Create(), _empty, LatencyHistograms.Create(), _empty, 1, 1))];
    }

    public FakeTimeProvider Clock { get; } = new(Start);

    public RunTimeline Timeline { get; } = new();

    public ControlLoop Loop { get; }

    public SustainableRateRecord Record { get; }

    /// <summary>The target in force during each second, by the time its second ended.</summary>
    public List<(TimeSpan At, double Target)> Targets { get; } = [];

    /// <summary>The plant's own knee in each second (<see cref="SimulatedPlant.KneeNow"/> at the SLO): what no controller sees.</summary>
    public List<(TimeSpan At, double Knee)> Knees { get; } = [];

    /// <summary>Every decision, with when it was taken.</summary>
    public List<(TimeSpan At, ControlDecision Decision)> Decisions { get; } = [];

    /// <summary>The headline after each decision: the max sustainable rate recorded so far (0 while measuring).</summary>
    public List<(TimeSpan At, double Rate)> Headline { get; } = [];

    public TimeSpan Elapsed => Clock.GetUtcNow() - Start;

    public double Target => _fleet.TargetRate;

    /// <summary>Plays the plant and the loop for <paramref name="duration"/> more.</summary>
    public async Task RunAsync(TimeSpan duration)
    {
        var end = Elapsed + duration;
        while (Elapsed < end)
        {
            // The second that ends now is played at the target in force; it is released a second later.
            var second = _plant.Step(Elapsed, _fleet.TargetRate);
            Targets.Add((Elapsed, _fleet.TargetRate));
            Knees.Add((Elapsed, _plant.KneeNow(_sloMs)));
            var interval = Interval(Clock.GetUtcNow().ToUnixTimeSeconds(), second);
            Clock.Advance(TimeSpan.FromSeconds(1));

            var before = Loop.LastDecision;
            await Loop.OnSecondAsync(interval, _fleet.TargetRate, TestContext.Current.CancellationToken);
            if (Loop.LastDecision is { } decision && !ReferenceEquals(decision, before))
            {
                Decisions.Add((Elapsed, decision));
                Headline.Add((Elapsed, Record.Current.Rate ?? 0));
            }
        }
    }

    /// <summary>The target in force during the second that ended at <paramref name="at"/>.</summary>
    public double TargetAt(TimeSpan at) => Targets.Last(t => t.At <= at).Target;

    public void Dispose()
    {
        _metrics.Dispose();
        _meters.Dispose();
    }

    /// <summary>
    /// One second as merged histograms: the consumed messages' latencies (88.5 % at 0.4 × p99, 10 %
    /// at 0.8 × p99, 1.5 % at p99, so the second's own p99 is the plant's) and the sent messages'
    /// publish delays. The window's p99 is then what HdrHistogram gives for the mixture, as live.
    /// </summary>
    private MergedInterval Interval(long endUnixSeconds, PlantSecond second)
    {
        var reused = _ring[_next];
        _next = (_next + 1) % _ring.Length;
        var latency = reused.Latency;
        var delay = reused.PublishDelay;
        latency.Reset();
        delay.Reset();
        var consumed = (long)Math.Round(second.Consumed);
        if (consumed > 0)
        {
            var p99 = (long)(second.P99Ms * 1000);
            var top = Math.Max(1, (long)Math.Round(consumed * 0.015));
            var middle = (long)Math.Round(consumed * 0.10);
            latency.RecordValueWithCount(LatencyHistograms.Clamp(p99), top);
            latency.RecordValueWithCount(LatencyHistograms.Clamp((long)(p99 * 0.8)), middle);
            latency.RecordValueWithCount(LatencyHistograms.Clamp((long)(p99 * 0.4)), Math.Max(0, consumed - top - middle));
        }

        var sent = (long)Math.Round(second.Sent);
        if (sent > 0)
        {
            delay.RecordValueWithCount(LatencyHistograms.Clamp((long)(second.PublishDelayMs * 1000)), sent);
        }

        return reused with { EndUnixSeconds = endUnixSeconds };
    }

    /// <summary>The producers: a total rate, applied at once.</summary>
    private sealed class Fleet(double rate) : IProducerFleet
    {
        public int LiveProducerCount => 1;

        public double TargetRate { get; private set; } = rate;

        public double ActualRate => TargetRate;

        public Task<FleetChange> SetTotalRateAsync(double totalRate, string why, CancellationToken cancellationToken)
        {
            TargetRate = totalRate;
            return Task.FromResult(new FleetChange([new ProducerChangeOutcome("producer", "http://producer", true, $"rate {totalRate}", null)]));
        }
    }
}
