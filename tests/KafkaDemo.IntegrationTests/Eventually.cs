namespace KafkaDemo.IntegrationTests;

/// <summary>Waits for a condition that real processes make true, with a deadline instead of a fixed sleep.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan deadline, string? because = null)
    {
        using var timeout = new CancellationTokenSource(deadline);
        while (!condition())
        {
            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail(because ?? $"The condition did not hold within {deadline.TotalSeconds} s.");
            }
        }
    }
}
