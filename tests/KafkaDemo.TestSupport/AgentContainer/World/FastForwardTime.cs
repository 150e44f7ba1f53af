namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// A clock for the agent container's programs on which every wait passes <see cref="Factor"/> times
/// faster than on the system clock (vibectl's <c>--interval</c> sleeps, a WAIT action, coreutils
/// <c>timeout</c>, flock's <c>-w</c>, the SDKs' retry delays), in the same order and proportions.
/// For tests that run whole rounds through the real Overseer, whose own clock stays real: a
/// <c>timeout 5</c> in the pod then fires after 50 ms of real time at the default factor of 100.
/// </summary>
public sealed class FastForwardTime(double factor = 100) : TimeProvider
{
    /// <summary>How many times faster waits pass.</summary>
    public double Factor { get; } = factor > 0 ? factor : throw new ArgumentOutOfRangeException(nameof(factor));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, Scale(dueTime), Scale(period));

    private TimeSpan Scale(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan || span <= TimeSpan.Zero ? span : TimeSpan.FromTicks(Math.Max(1, (long)(span.Ticks / Factor)));
}
