using System.Globalization;
using KafkaDemo.Overseer.StrimziWatch;

namespace KafkaDemo.Overseer.Control;

/// <summary>The max sustainable rate measured under one cluster configuration and SLO.</summary>
/// <param name="Since">When this measurement started.</param>
/// <param name="Configuration">What started it: the run, a config change such as "num.io.threads 2→4", an SLO change.</param>
/// <param name="Rate">The best rate held within the SLO so far; null while still measuring.</param>
/// <param name="P99Ms">The p99 of the windows that held it.</param>
/// <param name="Until">When the next measurement replaced it; null for the current one.</param>
public sealed record SustainableRateMeasurement(DateTimeOffset Since, string Configuration, double? Rate, double? P99Ms, DateTimeOffset? Until)
{
    public bool Measuring => Rate is null;

    public string Describe() => Rate is { } rate
        ? string.Create(CultureInfo.InvariantCulture, $"{rate:N0}/s")
        : "measuring";
}

/// <summary>
/// The headline the agent is judged by: the best rate the controller has held within the SLO under
/// the current cluster configuration. It says "measuring" until a rate has held; a configuration
/// (or SLO) change starts a new measurement, and earlier ones stay for comparison. Unlike the
/// controller's own memory, a held rate is not forgotten while the configuration stands.
/// </summary>
public sealed class SustainableRateRecord(TimeProvider time) : IClusterChangeListener
{
    private readonly Lock _gate = new();
    private readonly List<SustainableRateMeasurement> _previous = [];
    private SustainableRateMeasurement? _current;

    /// <summary>The measurement under the configuration now.</summary>
    public SustainableRateMeasurement Current
    {
        get
        {
            lock (_gate)
            {
                return _current ??= new SustainableRateMeasurement(time.GetUtcNow(), "start of the run", null, null, null);
            }
        }
    }

    /// <summary>Earlier measurements, newest first.</summary>
    public IReadOnlyList<SustainableRateMeasurement> Previous
    {
        get
        {
            lock (_gate)
            {
                return [.. _previous.AsEnumerable().Reverse()];
            }
        }
    }

    /// <summary>The controller held <paramref name="rate"/> within the SLO for its settle windows.</summary>
    public void Held(double rate, double p99Ms)
    {
        lock (_gate)
        {
            var current = Current;
            if (current.Rate is not { } best || rate > best)
            {
                _current = current with { Rate = rate, P99Ms = p99Ms };
            }
        }
    }

    /// <summary>Starts a new measurement; the current one is kept for comparison.</summary>
    public void StartNew(string configuration, DateTimeOffset at)
    {
        lock (_gate)
        {
            var current = Current;
            _previous.Add(current with { Until = at });
            if (_previous.Count > 50)
            {
                _previous.RemoveAt(0);
            }

            _current = new SustainableRateMeasurement(at, configuration, null, null, null);
        }
    }

    public void OnClusterChange(ClusterChange change)
    {
        ArgumentNullException.ThrowIfNull(change);

        // A label or an annotation changes nothing the brokers run with; the measurement goes on.
        if (change.ChangesConfiguration)
        {
            StartNew(change.Line, change.At);
        }
    }
}
