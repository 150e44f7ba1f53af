extern alias embedded;

using embedded::KafkaDemo.EmbeddedKafka.Cluster;
using embedded::KafkaDemo.EmbeddedKafka.Control;
using KafkaDemo.Messaging.Contracts;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaDemo.UnitTests.EmbeddedKafka;

/// <summary>
/// Take-down, bring-up and clear from several callers at once (requests and outage timers),
/// against a strict stand-in for the cluster and timers fired by hand, with no sleeps.
/// </summary>
public sealed class FaultInjectorTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_timed_outage_brings_its_broker_up_once_when_it_ends()
    {
        var (cluster, timers, faults) = Create();
        faults.TakeDown(2, TimeSpan.FromSeconds(10));

        Assert.False(cluster.IsUp(2));
        Assert.Equal(T0.AddSeconds(10), faults.State().Brokers[1].UpAt);

        timers.All[0].Fire();
        Assert.True(cluster.IsUp(2));
        Assert.Null(faults.State().Brokers[1].UpAt);
        Assert.Equal(1, cluster.BringUps(2));

        timers.All[0].Fire(); // a second firing of an ended outage
        Assert.Equal(1, cluster.BringUps(2));
        Assert.Empty(cluster.Violations);
    }

    [Fact]
    public void The_timer_of_a_replaced_outage_does_not_end_the_new_one()
    {
        var (cluster, timers, faults) = Create();
        faults.TakeDown(1, TimeSpan.FromSeconds(10));
        var first = timers.All[0];
        faults.TakeDown(1, TimeSpan.FromSeconds(30));

        Assert.True(first.Disposed);
        // Disposing a timer does not stop a callback already under way: it may still run now.
        first.Fire();

        Assert.False(cluster.IsUp(1));
        Assert.Equal(T0.AddSeconds(30), faults.State().Brokers[0].UpAt);

        timers.All[1].Fire();
        Assert.True(cluster.IsUp(1));
        Assert.Equal(1, cluster.BringUps(1));
        Assert.Equal(1, cluster.TakeDowns(1)); // replacing the outage did not take it down twice
        Assert.Empty(cluster.Violations);
    }

    [Fact]
    public async Task An_outage_that_ends_while_faults_are_cleared_brings_its_broker_up_once()
    {
        var (cluster, timers, faults) = Create();
        faults.TakeDown(1, TimeSpan.FromSeconds(5));
        faults.TakeDown(3, TimeSpan.FromSeconds(5));

        // The outage's timer fires while Clear is bringing the brokers up: its callback runs on
        // another thread, which must wait for Clear and then find nothing left to do.
        Task? ending = null;
        cluster.BeforeBringUp = id =>
        {
            if (id == 1)
            {
                ending ??= Task.Run(() => timers.All[0].Fire(), TestContext.Current.CancellationToken);
            }
        };
        faults.Clear();
        cluster.BeforeBringUp = null;
        await ending!;

        Assert.All(faults.State().Brokers, b => Assert.True(b.Up && b.UpAt is null));
        Assert.Equal(1, cluster.BringUps(1));
        Assert.Equal(1, cluster.BringUps(3));
        timers.All[1].Fire();
        Assert.Equal(1, cluster.BringUps(3));
        Assert.Empty(cluster.Violations);
    }

    [Fact]
    public async Task A_take_down_during_a_clear_is_either_cleared_or_kept_whole_never_half()
    {
        var (cluster, timers, faults) = Create();
        faults.TakeDown(1, TimeSpan.FromSeconds(5));

        // While Clear brings broker 1 up, a request takes broker 2 down.
        Task? takeDown = null;
        cluster.BeforeBringUp = _ => takeDown ??= Task.Run(() => faults.TakeDown(2, TimeSpan.FromSeconds(60)), TestContext.Current.CancellationToken);
        faults.Clear();
        cluster.BeforeBringUp = null;
        await takeDown!;

        // It came after the clear: broker 2 is down with its outage, and that outage still ends.
        var state = faults.State().Brokers;
        Assert.True(state[0].Up);
        Assert.False(state[1].Up);
        Assert.Equal(T0.AddSeconds(60), state[1].UpAt);
        timers.All[^1].Fire();
        Assert.True(cluster.IsUp(2));
        Assert.Empty(cluster.Violations);
    }

    [Fact]
    public void No_broker_stays_down_after_a_clear_and_no_cleared_timer_acts()
    {
        var (cluster, timers, faults) = Create();
        faults.TakeDown(1, TimeSpan.FromSeconds(5));
        faults.TakeDown(2, TimeSpan.FromSeconds(50));
        faults.SetLatency(20, null);

        faults.Clear();
        foreach (var timer in timers.All)
        {
            timer.Fire();
        }

        Assert.All(faults.State().Brokers, b => Assert.True(b is { Up: true, UpAt: null, RttMs: 0 }));
        Assert.Equal(1, cluster.BringUps(1));
        Assert.Equal(1, cluster.BringUps(2));
        Assert.Empty(cluster.Violations);
    }

    [Fact]
    public void A_broker_that_cannot_come_back_is_reported_and_the_others_come_back()
    {
        var (cluster, _, faults) = Create();
        faults.TakeDown(1, TimeSpan.FromSeconds(5));
        faults.TakeDown(2, TimeSpan.FromSeconds(5));
        cluster.PortTaken = 1;

        var error = Assert.Throws<IOException>(faults.Clear);

        Assert.Contains("broker 1", error.Message, StringComparison.Ordinal);
        Assert.False(cluster.IsUp(1));
        Assert.True(cluster.IsUp(2));
        Assert.Null(faults.State().Brokers[0].UpAt); // no outage claims to end it: Clear said why it stays down
    }

    [Fact]
    public async Task Take_downs_timers_and_clears_from_many_threads_keep_the_invariant()
    {
        const int Workers = 4;
        const int Operations = 3_000;
        var (cluster, timers, faults) = Create();
        var start = new Barrier(Workers + 1);
        using var done = new CancellationTokenSource();
        var violations = new List<string>();

        // The checker reads the state as callers see it, over and over while the workers run.
        var checker = Task.Run(() =>
        {
            start.SignalAndWait(TestContext.Current.CancellationToken);
            while (!done.IsCancellationRequested)
            {
                foreach (var broker in faults.State().Brokers)
                {
                    // In an outage ⇔ down (this stand-in never fails a bring-up).
                    if ((broker.UpAt is not null) == broker.Up)
                    {
                        lock (violations)
                        {
                            violations.Add($"broker {broker.Id}: up={broker.Up}, outage until {broker.UpAt?.ToString("O") ?? "none"}");
                        }
                    }
                }
            }
        }, TestContext.Current.CancellationToken);

        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(() =>
        {
            var random = new Random(w); // seeded: the same operations every run, interleaved as the threads run
            start.SignalAndWait(TestContext.Current.CancellationToken);
            for (var i = 0; i < Operations; i++)
            {
                switch (random.Next(10))
                {
                    case < 5:
                        faults.TakeDown(random.Next(1, 4), TimeSpan.FromSeconds(random.Next(1, 60)));
                        break;
                    case < 8:
                        // A timer fires: a current one, or one whose outage was replaced or cleared.
                        timers.Random(random)?.Fire();
                        break;
                    case 8:
                        faults.SetLatency(random.Next(0, 5), null);
                        break;
                    default:
                        faults.Clear();
                        break;
                }
            }
        }, TestContext.Current.CancellationToken)).ToArray();

        await Task.WhenAll(workers);
        done.Cancel();
        await checker;

        Assert.Empty(violations);
        Assert.Empty(cluster.Violations);

        // After a last clear, every broker is up and no timer, current or stale, changes that.
        faults.Clear();
        foreach (var timer in timers.All)
        {
            timer.Fire();
        }

        Assert.All(faults.State().Brokers, b => Assert.True(b is { Up: true, UpAt: null, RttMs: 0 }));
        Assert.Empty(cluster.Violations);
    }

    private static (StrictCluster Cluster, ManualTimers Timers, FaultInjector Faults) Create()
    {
        var cluster = new StrictCluster(3);
        var timers = new ManualTimers(T0);
        return (cluster, timers, new FaultInjector(() => cluster, timers, NullLogger<FaultInjector>.Instance));
    }

    /// <summary>
    /// Brokers that record anything the real cluster would merely tolerate: a bring-up of a broker
    /// that is up, a take-down of one that is down, and two callers inside it at once.
    /// </summary>
    private sealed class StrictCluster(int brokers) : IFaultableCluster
    {
        private readonly bool[] _up = Enumerable.Repeat(true, brokers).ToArray();
        private readonly int[] _rtt = new int[brokers];
        private readonly int[] _bringUps = new int[brokers];
        private readonly int[] _takeDowns = new int[brokers];
        private readonly List<string> _violations = [];
        private int _inside;

        public Action<int>? BeforeBringUp { get; set; }

        /// <summary>A broker whose port is taken: bringing it up fails.</summary>
        public int? PortTaken { get; set; }

        public IReadOnlyList<string> Violations
        {
            get
            {
                lock (_violations)
                {
                    return [.. _violations];
                }
            }
        }

        public string BootstrapServers => "127.0.0.1:9092";

        public int BrokerCount => brokers;

        public IReadOnlyList<BrokerStatus> Brokers => Inside(() => _up.Select((up, i) => new BrokerStatus(i + 1, $"127.0.0.1:{9092 + i}", up, _rtt[i])).ToList());

        public bool IsUp(int id) => _up[id - 1];

        public int BringUps(int id) => _bringUps[id - 1];

        public int TakeDowns(int id) => _takeDowns[id - 1];

        public void SetBrokerDown(int brokerId) => Inside(() =>
        {
            if (!_up[brokerId - 1])
            {
                Violation($"broker {brokerId} taken down while down");
            }

            _up[brokerId - 1] = false;
            _takeDowns[brokerId - 1]++;
            return 0;
        });

        public void SetBrokerUp(int brokerId)
        {
            BeforeBringUp?.Invoke(brokerId);
            Inside(() =>
            {
                if (PortTaken == brokerId)
                {
                    throw new IOException($"The port of broker {brokerId} is taken.");
                }

                if (_up[brokerId - 1])
                {
                    Violation($"broker {brokerId} brought up while up");
                }

                _up[brokerId - 1] = true;
                _bringUps[brokerId - 1]++;
                return 0;
            });
        }

        public void SetBrokerRtt(int brokerId, int rttMs) => Inside(() => _rtt[brokerId - 1] = rttMs);

        private T Inside<T>(Func<T> action)
        {
            if (Interlocked.Increment(ref _inside) != 1)
            {
                Violation("two callers inside the cluster at once");
            }

            try
            {
                return action();
            }
            finally
            {
                Interlocked.Decrement(ref _inside);
            }
        }

        private void Violation(string what)
        {
            lock (_violations)
            {
                _violations.Add(what);
            }
        }
    }

    /// <summary>
    /// Timers that fire only when a test says so, on the test's thread. Like a real timer's, a
    /// callback can still run after the timer was disposed (it had already started).
    /// </summary>
    private sealed class ManualTimers(DateTimeOffset now) : TimeProvider
    {
        private readonly List<ManualTimer> _all = [];

        public IReadOnlyList<ManualTimer> All
        {
            get
            {
                lock (_all)
                {
                    return [.. _all];
                }
            }
        }

        public override DateTimeOffset GetUtcNow() => now;

        public ManualTimer? Random(Random random)
        {
            lock (_all)
            {
                return _all.Count == 0 ? null : _all[random.Next(_all.Count)];
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(callback, state);
            lock (_all)
            {
                _all.Add(timer);
            }

            return timer;
        }
    }

    private sealed class ManualTimer(TimerCallback callback, object? state) : ITimer
    {
        public bool Disposed { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period) => !Disposed;

        public void Dispose() => Disposed = true;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
