namespace KafkaDemo.AppHost.Placement;

/// <summary>How long a Deployment's resource waits before it reads and watches the Deployment again after following it failed: 1, 2, 4, 8, 16, then 30 s.</summary>
public static class FollowBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row (1 for the first).</summary>
    public static TimeSpan Delay(int failures) =>
        failures <= 1 ? First : TimeSpan.FromTicks(Math.Min(Max.Ticks, First.Ticks << Math.Min(failures - 1, 30)));
}
