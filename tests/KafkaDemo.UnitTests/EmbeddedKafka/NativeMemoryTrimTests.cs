extern alias embedded;

using embedded::KafkaDemo.EmbeddedKafka.Cluster;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KafkaDemo.UnitTests.EmbeddedKafka;

public sealed class NativeMemoryTrimTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task It_trims_once_per_interval_of_the_clock_and_counts_the_trims_that_gave_memory_back()
    {
        var clock = new FakeTimeProvider();
        using var trimmed = new SemaphoreSlim(0);
        var calls = 0;
        var log = new CountingLogger();
        using var service = new NativeMemoryTrim(Options(2), clock, log, () =>
        {
            var call = Interlocked.Increment(ref calls);
            trimmed.Release();
            return call % 2 == 1; // the first and third give memory back
        });
        await service.StartAsync(TestContext.Current.CancellationToken);
        await service.Armed.WaitAsync(Patience, TestContext.Current.CancellationToken);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, service.Trims);
        for (var i = 0; i < 3; i++)
        {
            clock.Advance(i == 0 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(2));
            Assert.True(await trimmed.WaitAsync(Patience, TestContext.Current.CancellationToken), $"No trim after interval {i + 1}.");
        }

        await service.StopAsync(TestContext.Current.CancellationToken);
        Assert.Equal(3, calls);
        Assert.Equal(2, service.Released);
        Assert.Contains(log.Lines, l => l.Contains("every 2 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_malloc_trim_it_says_so_once_and_never_trims()
    {
        var clock = new FakeTimeProvider();
        var log = new CountingLogger();
        using var service = new NativeMemoryTrim(Options(1), clock, log, trim: null);
        await service.StartAsync(TestContext.Current.CancellationToken);
        await service.ExecuteTask!.WaitAsync(Patience, TestContext.Current.CancellationToken);

        clock.Advance(TimeSpan.FromSeconds(10));
        await service.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, service.Trims);
        var line = Assert.Single(log.Lines);
        Assert.Contains("no malloc_trim", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_interval_of_zero_turns_it_off_without_a_word()
    {
        var clock = new FakeTimeProvider();
        var log = new CountingLogger();
        var calls = 0;
        using var service = new NativeMemoryTrim(Options(0), clock, log, () => Interlocked.Increment(ref calls) > 0);
        await service.StartAsync(TestContext.Current.CancellationToken);
        await service.ExecuteTask!.WaitAsync(Patience, TestContext.Current.CancellationToken);

        clock.Advance(TimeSpan.FromSeconds(10));
        await service.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, calls);
        Assert.Empty(log.Lines);
    }

    [Fact]
    public void Where_the_c_library_is_glibc_malloc_trim_is_found()
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux() && File.Exists("/usr/lib/x86_64-linux-gnu/libc.so.6"),
            "Not Linux x64 with Debian's glibc (libc.so.6), where malloc_trim is expected.");
        var trim = embedded::KafkaDemo.EmbeddedKafka.Native.GlibcMallocTrim.TryLoad();
        Assert.NotNull(trim);
        trim(); // gives back what it can; either answer is right, it must not fail
    }

    private static Microsoft.Extensions.Options.IOptions<EmbeddedKafkaOptions> Options(int seconds) =>
        Microsoft.Extensions.Options.Options.Create(new EmbeddedKafkaOptions { TrimIntervalSeconds = seconds });

    /// <summary>The lines written, formatted.</summary>
    private sealed class CountingLogger : ILogger<NativeMemoryTrim>
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add(formatter(state, exception));
            }
        }
    }
}
