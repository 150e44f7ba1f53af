using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using KafkaDemo.AppHost.Tests.Browser;
using KafkaDemo.Messaging.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace KafkaDemo.AppHost.Tests.Running;

/// <summary>
/// The whole app in embedded mode, started once with Aspire.Hosting.Testing for every test of
/// the "running app" collection (two producers; rate controller off, so the rate only moves when
/// a test moves it), and one headless Debian Chromium when it is installed. The HTTP clients send
/// the control token; <see cref="Anonymous"/> makes one that does not.
/// </summary>
public sealed class RunningApp : IAsyncLifetime
{
    private DistributedApplication? _app;
    private HeadlessChromium? _chromium;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>The browser; only when <see cref="HeadlessChromium.Unavailable"/> is null.</summary>
    public IBrowser Browser => _chromium?.Browser ?? throw new InvalidOperationException(HeadlessChromium.Unavailable ?? "The browser has not started.");

    public Uri OverseerUrl { get; private set; } = default!;

    /// <summary>The Overseer page's login link (the page opens only through it).</summary>
    public Uri OverseerLoginUrl => TestApp.LoginUrl(OverseerUrl);

    /// <summary>What the AppHost itself logged (its console), such as the Overseer's login link.</summary>
    public AppHostLog AppHostLog { get; } = new();

    /// <summary>producer-1.</summary>
    public HttpClient Producer { get; private set; } = default!;

    /// <summary>producer-2.</summary>
    public HttpClient Producer2 { get; private set; } = default!;

    public IReadOnlyList<HttpClient> Producers => [Producer, Producer2];

    public HttpClient Overseer { get; private set; } = default!;

    public HttpClient Consumer { get; private set; } = default!;

    public HttpClient EmbeddedKafka { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        HeadlessChromium.ThrowIfRequiredButMissing();
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var builder = await TestApp.CreateAsync("--KafkaDemo:Controller:Enabled=false", "--KafkaDemo:Rate=1000", "--KafkaDemo:Producers=2");
        builder.Services.AddLogging(logging => logging.AddProvider(AppHostLog));
        _app = await builder.BuildAsync(startup.Token);
        await _app.StartAsync(startup.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("overseer", startup.Token);

        OverseerUrl = _app.GetEndpoint("overseer", "http");
        Overseer = Authorized("overseer");
        Producer = Authorized("producer-1");
        Producer2 = Authorized("producer-2");
        Consumer = _app.CreateHttpClient("consumer");
        EmbeddedKafka = Authorized("kafka-embedded");

        // Wait until the Overseer has merged some seconds, so the page has something to show.
        while ((await Overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", startup.Token))?.Consumer.Verified is null or 0)
        {
            await Task.Delay(500, startup.Token);
        }

        _chromium = await HeadlessChromium.LaunchIfInstalledAsync();
    }

    /// <summary>
    /// Waits until the Overseer reports the load running again after a test paused it: it sees
    /// the producers' state at its next poll, and the next test must not see them paused.
    /// </summary>
    public Task LoadRunningAgainAsync() =>
        KafkaDemo.TestSupport.Eventually.TrueAsync(
            async () => (await Overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", TestContext.Current.CancellationToken)) is { Producer.Paused: false, Producer.TargetRate: > 0 },
            TimeSpan.FromSeconds(30),
            "The Overseer still reports the load paused.");

    /// <summary>A client of <paramref name="resource"/> that sends no control token.</summary>
    public HttpClient Anonymous(string resource) => App.CreateHttpClient(resource);

    private HttpClient Authorized(string resource)
    {
        var client = App.CreateHttpClient(resource);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestApp.ControlToken);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        Producer?.Dispose();
        Producer2?.Dispose();
        Overseer?.Dispose();
        Consumer?.Dispose();
        EmbeddedKafka?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
