using System.Diagnostics;
using System.Diagnostics.Metrics;
using KafkaDemo.Overseer.Fleet;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Control;

/// <summary>
/// The rate controller's OpenTelemetry instruments, on the Overseer's meter: the target it sets, the
/// max sustainable rate, the SLO, its breaches and the decisions.
/// </summary>
public sealed class ControllerMetrics : IDisposable
{
    public const string MeterName = "KafkaDemo.Overseer";

    private readonly Meter _meter;
    private readonly Counter<long> _breaches;
    private readonly Counter<long> _decisions;
    private double _maxSustainable;
    private double _slo;

    public ControllerMetrics(IMeterFactory meterFactory, FleetState fleet, IOptions<ControllerSettings> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _slo = settings.Value.SloP99Ms;
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(fleet);
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableGauge("kafkademo.overseer.target_rate", () => fleet.Current.TargetRate, "{message}/s", "The producers' total target rate.");
        _meter.CreateObservableGauge("kafkademo.overseer.max_sustainable_rate", () => Volatile.Read(ref _maxSustainable), "{message}/s", "Highest rate recently held within the SLO.");
        _meter.CreateObservableGauge("kafkademo.overseer.slo_p99", () => Volatile.Read(ref _slo), "ms", "The end-to-end p99 SLO.");
        _breaches = _meter.CreateCounter<long>("kafkademo.overseer.slo_breaches", "{window}", "Measurement windows whose p99 exceeded the SLO.");
        _decisions = _meter.CreateCounter<long>("kafkademo.overseer.controller.decisions", "{decision}", "Controller decisions, by resulting state.");
    }

    /// <summary>Records a decision taken against the SLO <paramref name="sloP99Ms"/>.</summary>
    public void Observe(ControlDecision decision, double maxSustainableRate, double sloP99Ms)
    {
        ArgumentNullException.ThrowIfNull(decision);
        Volatile.Write(ref _maxSustainable, maxSustainableRate);
        Volatile.Write(ref _slo, sloP99Ms);
        _decisions.Add(1, new TagList { { "state", decision.State.ToString() }, { "changed", decision.Changed } });
        if (decision.Inputs.Messages > 0 && decision.Inputs.P99Ms > sloP99Ms)
        {
            _breaches.Add(1);
        }
    }

    public void Dispose() => _meter.Dispose();
}
