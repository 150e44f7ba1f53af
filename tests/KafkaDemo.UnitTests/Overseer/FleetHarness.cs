extern alias overseer;

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Measurement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using overseer::KafkaDemo.Overseer.Discovery;
using overseer::KafkaDemo.Overseer.Extensions;
using overseer::KafkaDemo.Overseer.Fleet;
using overseer::KafkaDemo.Overseer.Report;
using overseer::KafkaDemo.Overseer.Timeline;

namespace KafkaDemo.UnitTests.Overseer;

/// <summary>
/// The Overseer's services as <c>AddOverseer</c> registers them, on a fake clock, talking to fake
/// producers and consumers over an in-memory HTTP handler. Nothing listens. The fleet monitor runs
/// its own loop; it polls when the test moves the clock on (<see cref="PollAsync"/>).
/// </summary>
internal sealed class FleetHarness : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly IHost _host;
    private readonly FleetState _state;
    private bool _started;

    /// <param name="settings">More configuration, such as <c>Overseer:Discovery:*</c>.</param>
    /// <param name="services">More registrations, before the host is built.</param>
    public FleetHarness(
        IReadOnlyList<string> producers,
        IReadOnlyList<string> consumers,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        var configuration = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Overseer:Mode"] = "embedded", ["Logging:LogLevel:Default"] = "None" };
        for (var i = 0; i < producers.Count; i++)
        {
            configuration[$"Overseer:Producers:{i}"] = producers[i];
        }

        for (var i = 0; i < consumers.Count; i++)
        {
            configuration[$"Overseer:Consumers:{i}"] = consumers[i];
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddSingleton<TimeProvider>(Time);
        builder.AddOverseer();
        builder.Services.AddHttpClient<FleetClient>().ConfigurePrimaryHttpMessageHandler(() => Instances);
        services?.Invoke(builder.Services);
        _host = builder.Build();

        _state = _host.Services.GetRequiredService<FleetState>();
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    public FakeInstances Instances { get; } = new();

    public IServiceProvider Services => _host.Services;

    /// <summary>A pod as the EndpointSlice watcher finds it: 10.42.0.<paramref name="ip"/>, port 8080.</summary>
    public static DiscoveredInstance Pod(string name, int ip, bool producer = true) =>
        new(name, producer, string.Create(CultureInfo.InvariantCulture, $"10.42.0.{ip}"), 8080);

    /// <summary>Where the Overseer reaches <paramref name="pod"/> with <c>Overseer:Discovery:Route=Direct</c>.</summary>
    public static string Url(DiscoveredInstance pod) => $"http://{pod.PodIP}:{pod.Port}";

    /// <summary>The ready pods now, written as the EndpointSlice watcher writes them (<c>Overseer:Discovery:Source=Kubernetes</c>).</summary>
    public void Discover(params DiscoveredInstance[] pods) => _host.Services.GetRequiredService<DiscoveredInstances>().Set(pods);

    public FleetMonitor Monitor => _host.Services.GetServices<IHostedService>().OfType<FleetMonitor>().Single();

    public FleetCommands Commands => _host.Services.GetRequiredService<FleetCommands>();

    public OverseerReport Report => _host.Services.GetRequiredService<OverseerReport>();

    public RunTimeline Timeline => _host.Services.GetRequiredService<RunTimeline>();

    /// <summary>Starts the Overseer's services on the first call (its first poll), then moves the clock a poll interval on; returns once the fleet view was updated.</summary>
    public async Task PollAsync()
    {
        var updated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged() => updated.TrySetResult();
        _state.Changed += OnChanged;
        try
        {
            if (!_started)
            {
                _started = true;
                await _host.StartAsync(TestContext.Current.CancellationToken);
            }
            else
            {
                Time.Advance(TimeSpan.FromSeconds(1));
            }

            await updated.Task.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        }
        finally
        {
            _state.Changed -= OnChanged;
        }
    }

    public void Dispose()
    {
        if (_started)
        {
            _host.StopAsync().GetAwaiter().GetResult();
        }

        _host.Dispose();
    }

    public static ProducerStats Producer(string instance, DateTimeOffset startedAt, long sent, long acked, long failed, double targetRate = 1000) => new(
        instance,
        Guid.Empty,
        UnixMicros.From(startedAt),
        startedAt,
        false,
        targetRate,
        new RateSummary(1000, 1000),
        new RateSummary(1000, 1000),
        sent,
        acked,
        failed,
        sent - acked - failed,
        "512",
        "orders:1",
        EmptyWindows,
        EmptyWindows,
        EmptySnapshot,
        EmptySnapshot);

    public static ConsumerStats Consumer(
        string instance, DateTimeOffset startedAt, long verified, long gaps = 0, long duplicates = 0, long badMac = 0, long redelivered = 0, long lost = 0) => new(
        instance,
        startedAt,
        verified + badMac,
        verified,
        new IntegrityFailures(badMac, badMac, 0, 0, 0),
        gaps,
        duplicates,
        redelivered,
        0,
        lost,
        lost,
        0,
        1,
        6,
        new RateSummary(1000, 1000),
        EmptyWindows,
        EmptyWindows,
        EmptySnapshot,
        EmptySnapshot);

    private static LatencyWindowSummaries EmptyWindows => new(LatencySummary.Empty, LatencySummary.Empty, LatencySummary.Empty);

    private static HistogramSnapshot EmptySnapshot => new("us", LatencyHistograms.EncodingName, null, "");
}

/// <summary>
/// Producers and consumers as the Overseer sees them over HTTP: each base URL answers
/// <c>/health</c>, <c>/api/stats</c> with whatever the test set, <c>/api/histograms</c> with the
/// intervals the test added after the label asked for (none unless added), and records the PUTs it gets. A producer
/// takes a <c>PUT /api/rate</c> as the real one does (its stats report the new target rate until the test sets them
/// again). An instance that is <see cref="Down"/> refuses connections; one that is <see cref="Hanging"/> never answers a PUT.
/// </summary>
internal sealed class FakeInstances : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, object> _stats = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string Series, EncodedInterval Interval)>> _intervals = new(StringComparer.Ordinal);

    public ConcurrentQueue<(string Url, string Path, string Body)> Puts { get; } = new();

    public ConcurrentDictionary<string, bool> Down { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, bool> Hanging { get; } = new(StringComparer.Ordinal);

    /// <summary>Completes when a PUT reaches a hanging instance.</summary>
    public TaskCompletionSource HangingPutArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set(string url, object stats) => _stats[url] = stats;

    /// <summary>Adds one closed second of one series to what <paramref name="url"/> reports.</summary>
    public void AddInterval(string url, string series, EncodedInterval interval) =>
        _intervals.GetOrAdd(url, _ => new ConcurrentQueue<(string, EncodedInterval)>()).Enqueue((series, interval));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        var baseUrl = uri.GetLeftPart(UriPartial.Authority);
        if (Down.ContainsKey(baseUrl))
        {
            throw new HttpRequestException($"Connection refused ({uri.Authority})");
        }

        if (request.Method == HttpMethod.Put)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            if (Hanging.ContainsKey(baseUrl))
            {
                HangingPutArrived.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            Puts.Enqueue((baseUrl, uri.AbsolutePath, body));
            if (uri.AbsolutePath == "/api/rate" && _stats.TryGetValue(baseUrl, out var current) && current is ProducerStats producer
                && JsonSerializer.Deserialize<RateChange>(body, JsonSerializerOptions.Web) is { Rate: { } rate })
            {
                _stats[baseUrl] = producer with { TargetRate = rate };
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = JsonContent.Create(new { }) };
        }

        return uri.AbsolutePath switch
        {
            "/health" => new HttpResponseMessage(HttpStatusCode.OK),
            "/api/stats" when _stats.TryGetValue(baseUrl, out var stats) => Json(stats),
            "/api/histograms" => Json(Intervals(baseUrl, long.Parse(System.Web.HttpUtility.ParseQueryString(uri.Query)["after"] ?? "0", System.Globalization.CultureInfo.InvariantCulture))),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        };
    }

    private IntervalSeries Intervals(string baseUrl, long after)
    {
        var added = _intervals.TryGetValue(baseUrl, out var queue) ? queue.ToArray() : [];
        var series = added.Where(i => i.Interval.EndUnixSeconds > after)
            .GroupBy(i => i.Series)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<EncodedInterval>)[.. g.Select(i => i.Interval)]);
        return new IntervalSeries(baseUrl, "us", LatencyHistograms.EncodingName, series);
    }

    private static HttpResponseMessage Json(object value) =>
        new(HttpStatusCode.OK) { Content = new StringContent(JsonSerializer.Serialize(value, value.GetType(), JsonSerializerOptions.Web), System.Text.Encoding.UTF8, "application/json") };
}
