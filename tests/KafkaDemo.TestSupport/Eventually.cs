namespace KafkaDemo.TestSupport;

/// <summary>Waits for a condition that real processes make true, with a deadline instead of a fixed sleep.</summary>
public static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, TimeSpan deadline, string? because = null) =>
        TrueAsync(() => Task.FromResult(condition()), deadline, because);

    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan deadline, string? because = null) =>
        TrueAsync(condition, deadline, () => because ?? $"The condition did not hold within {deadline.TotalSeconds} s.");

    /// <summary>As the others, with the failure message made when the deadline passes (so it can show the last values seen).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan deadline, Func<string> because)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(because);
        using var timeout = new CancellationTokenSource(deadline);
        while (!await condition())
        {
            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail(because());
            }
        }
    }
}
