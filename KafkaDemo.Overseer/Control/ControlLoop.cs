using System.Globalization;
using HdrHistogram;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.Overseer.Aggregation;
using KafkaDemo.Overseer.Fleet;
using KafkaDemo.Overseer.Timeline;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Control;

/// <summary>
/// Feeds merged seconds to the <see cref="RateController"/> in windows measured entirely at one
/// target rate (the second in which the rate changed is skipped), applies its decisions to the
/// producers and records them, with their inputs and reasons, in the timeline.
/// </summary>
public sealed partial class ControlLoop(
    IProducerFleet producers,
    SustainableRateRecord sustainable,
    RunTimeline timeline,
    ControllerMetrics metrics,
    IOptions<ControllerSettings> settings,
    TimeProvider time,
    ILogger<ControlLoop> logger) : IMergedSecondListener
{
    /// <summary>Time given to a new rate before its seconds count: producers apply it within this.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    private readonly RateController _controller = new(settings.Value.Clone());
    private readonly List<MergedInterval> _window = [];
    private readonly HistogramBase _windowLatency = LatencyHistograms.Create();
    private readonly HistogramBase _windowDelay = LatencyHistograms.Create();
    private readonly Lock _gate = new();
    private double _windowTarget = double.NaN;
    private DateTimeOffset _changedAt = DateTimeOffset.MinValue;
    private long? _firstLabel;
    private ControllerState _lastState = ControllerState.Measuring;

    public ControllerSettings Settings => _controller.Settings;

    public ControllerState State => _controller.State;

    public double MaxSustainableRate => _controller.MaxSustainableRate;

    public ControlDecision? LastDecision { get; private set; }

    /// <summary>Turns the controller on or off and changes the SLO. Takes effect from the next window.</summary>
    public void Configure(bool? enabled, double? sloP99Ms, DateTimeOffset at)
    {
        lock (_gate)
        {
            var changes = new List<string>();
            if (enabled is { } on && on != Settings.Enabled)
            {
                Settings.Enabled = on;
                changes.Add(on ? "controller on" : "controller off");
            }

            if (sloP99Ms is { } slo && Math.Abs(slo - Settings.SloP99Ms) > 1e-9)
            {
                var change = string.Create(CultureInfo.InvariantCulture, $"SLO p99 {Settings.SloP99Ms} ms → {slo} ms");
                changes.Add(change);
                Settings.SloP99Ms = slo;

                // A rate held under one SLO says nothing about another.
                sustainable.StartNew(change, at);
            }

            if (changes.Count > 0)
            {
                _window.Clear();
                timeline.AddEvent(new TimelineEvent(at, EventKinds.Manual, string.Join(", ", changes),
                    new Dictionary<string, object?> { ["enabled"] = Settings.Enabled, ["sloP99Ms"] = Settings.SloP99Ms }));
            }
        }
    }

    /// <summary>Takes one merged second, measured while the producers' total target was <paramref name="targetRate"/>.</summary>
    public async Task OnSecondAsync(MergedInterval interval, double targetRate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interval);
        ControlDecision decision;
        lock (_gate)
        {
            _firstLabel ??= interval.EndUnixSeconds;
            if (interval.EndUnixSeconds - _firstLabel < Settings.StartAfterSeconds)
            {
                return; // start-up is not the steady state
            }

            if (Math.Abs(targetRate - _windowTarget) > 0.5)
            {
                // The rate changed (by hand, or a change of ours just became visible): start over.
                _window.Clear();
                _windowTarget = targetRate;
                _changedAt = Max(_changedAt, time.GetUtcNow() - Settle);
                return;
            }

            // Seconds are released a little after they end; one that began before the rate
            // changed (plus the settle time) was measured at the old rate and does not count.
            if (interval.End.AddSeconds(-1) < _changedAt + Settle)
            {
                return;
            }

            _window.Add(interval);
            if (_window.Count < Settings.WindowSeconds)
            {
                return;
            }

            var window = Measure(targetRate);
            _window.Clear();
            decision = _controller.Decide(window);
            LastDecision = decision;
            if (_controller.ConfirmedRate is { } confirmed)
            {
                sustainable.Held(confirmed, decision.Inputs.P99Ms);
            }
        }

        metrics.Observe(decision, _controller.MaxSustainableRate, Settings.SloP99Ms);
        if (decision.Inputs.Messages > 0 && decision.Inputs.P99Ms > Settings.SloP99Ms)
        {
            timeline.AddEvent(new TimelineEvent(decision.At, EventKinds.SloBreach,
                string.Create(CultureInfo.InvariantCulture, $"SLO breach: p99 {decision.Inputs.P99Ms:F1} ms > {Settings.SloP99Ms:F1} ms at {decision.Inputs.TargetRate:F0}/s"),
                Details(decision)));
        }

        if (decision.Changed)
        {
            try
            {
                var change = await producers.SetTotalRateAsync(decision.NewRate, "", cancellationToken);
                if (!change.AllApplied)
                {
                    // Recorded as an event by the commands; the window measures a mixed rate, so start over.
                    LogPartlyApplied(logger, decision.NewRate, change.Describe());
                }

                lock (_gate)
                {
                    _window.Clear();
                    _windowTarget = decision.NewRate;
                    _changedAt = time.GetUtcNow();
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentOutOfRangeException or OperationCanceledException)
            {
                LogApplyFailed(logger, ex, decision.NewRate);
                return;
            }
        }

        if (Settings.Enabled && (decision.Changed || decision.State != _lastState))
        {
            var text = decision.Changed
                ? string.Create(CultureInfo.InvariantCulture, $"{decision.PreviousRate:F0} → {decision.NewRate:F0}/s: {decision.Reason}")
                : string.Create(CultureInfo.InvariantCulture, $"{decision.State}: {decision.Reason}");
            timeline.AddEvent(new TimelineEvent(decision.At, EventKinds.Controller, text, Details(decision)));
        }

        _lastState = decision.State;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private ControlWindow Measure(double targetRate)
    {
        var latency = _windowLatency;
        var delay = _windowDelay;
        latency.Reset();
        delay.Reset();
        foreach (var interval in _window)
        {
            latency.Add(interval.Latency);
            delay.Add(interval.PublishDelay);
        }

        return new ControlWindow(
            _window[^1].End,
            targetRate,
            delay.TotalCount / (double)_window.Count,
            latency.TotalCount == 0 ? 0 : latency.GetValueAtPercentile(99) / 1000.0,
            delay.TotalCount == 0 ? 0 : delay.GetValueAtPercentile(50) / 1000.0,
            latency.TotalCount,
            latency.TotalCount / (double)_window.Count);
    }

    private static Dictionary<string, object?> Details(ControlDecision decision) => new()
    {
        ["state"] = decision.State.ToString(),
        ["previousRate"] = decision.PreviousRate,
        ["newRate"] = decision.NewRate,
        ["p99Ms"] = Math.Round(decision.Inputs.P99Ms, 3),
        ["publishDelayP50Ms"] = Math.Round(decision.Inputs.PublishDelayP50Ms, 3),
        ["actualRate"] = Math.Round(decision.Inputs.ActualRate, 1),
        ["consumedRate"] = double.IsNaN(decision.Inputs.ConsumedRate) ? null : Math.Round(decision.Inputs.ConsumedRate, 1),
        ["messages"] = decision.Inputs.Messages,
        ["reason"] = decision.Reason,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "The producers' rate change to {Rate}/s was only partly applied: {Outcome}")]
    private static partial void LogPartlyApplied(ILogger logger, double rate, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not set the producers' rate to {Rate}/s")]
    private static partial void LogApplyFailed(ILogger logger, Exception exception, double rate);
}
