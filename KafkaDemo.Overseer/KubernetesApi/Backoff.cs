namespace KafkaDemo.Overseer.KubernetesApi;

/// <summary>
/// How long to wait before trying a failed call again: <see cref="Initial"/>, doubling with every
/// failure in a row, never more than <see cref="Max"/>. Bounded, so a cluster that comes back is
/// seen soon; growing, so one that stays away is not hammered and the logs are not flooded.
/// </summary>
public sealed record Backoff(TimeSpan Initial, TimeSpan Max)
{
    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row (1 for the first).</summary>
    public TimeSpan Delay(int failures)
    {
        if (failures <= 1)
        {
            return Initial <= Max ? Initial : Max;
        }

        var exponent = Math.Min(failures - 1, 30); // 2^30 of any initial delay is past any sensible bound
        var ticks = Initial.Ticks * Math.Pow(2, exponent);
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }
}
