namespace KafkaDemo.UnitTests.Overseer;

/// <summary>
/// A latency model with a capacity knee, as a queue behaves: p99 = base + scale · ρ / (1 − ρ) with
/// ρ = rate / capacity, and ±<see cref="NoiseFraction"/> of seeded noise so windows are not exact.
/// The producer sends at most <see cref="ProducerMax"/> messages per second.
/// </summary>
internal sealed class SimulatedPlant(double capacity, double baseMs = 5, double scaleMs = 2, int seed = 42)
{
    private readonly Random _noise = new(seed);

    public double Capacity { get; set; } = capacity;

    public double BaseMs { get; set; } = baseMs;

    public double ScaleMs { get; } = scaleMs;

    public double ProducerMax { get; set; } = double.MaxValue;

    public double NoiseFraction { get; set; } = 0.05;

    public double ActualRate(double target) => Math.Min(target, ProducerMax);

    public double P99(double target)
    {
        var rho = ActualRate(target) / Capacity;
        var p99 = rho >= 0.995 ? 5_000 : BaseMs + (ScaleMs * rho / (1 - rho));
        return p99 * (1 + (NoiseFraction * ((_noise.NextDouble() * 2) - 1)));
    }

    public double PublishDelayP50(double target) => target > ProducerMax ? 500 : 1;

    /// <summary>The highest rate whose noiseless p99 meets the SLO.</summary>
    public double Knee(double sloMs)
    {
        var x = (sloMs - BaseMs) / ScaleMs; // rho / (1 - rho)
        return Math.Min(ProducerMax, Capacity * x / (1 + x));
    }
}
