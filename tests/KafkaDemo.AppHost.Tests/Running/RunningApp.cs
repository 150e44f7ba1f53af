using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using KafkaDemo.Messaging.Contracts;
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
    /// <summary>Where Debian's package puts Chromium; Playwright's own browser download does not work here.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Set by .ci/run: a missing browser fails the run instead of skipping the tests.</summary>
    public const string RequireBrowserVariable = "KAFKADEMO_REQUIRE_BROWSER";

    private DistributedApplication? _app;
    private IPlaywright? _playwright;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>The browser; only when <see cref="Unavailable"/> is null.</summary>
    public IBrowser Browser { get; private set; } = default!;

    public Uri OverseerUrl { get; private set; } = default!;

    /// <summary>producer-1.</summary>
    public HttpClient Producer { get; private set; } = default!;

    /// <summary>producer-2.</summary>
    public HttpClient Producer2 { get; private set; } = default!;

    public IReadOnlyList<HttpClient> Producers => [Producer, Producer2];

    public HttpClient Overseer { get; private set; } = default!;

    public HttpClient Consumer { get; private set; } = default!;

    public HttpClient EmbeddedKafka { get; private set; } = default!;

    /// <summary>Why the browser tests cannot run here, or null when they can.</summary>
    public static string? Unavailable =>
        File.Exists(ChromiumPath) ? null : $"Chromium is not installed at {ChromiumPath} (Debian package chromium); .ci/run installs it.";

    public async ValueTask InitializeAsync()
    {
        if (Unavailable is { } reason && Environment.GetEnvironmentVariable(RequireBrowserVariable) == "1")
        {
            throw new InvalidOperationException($"{RequireBrowserVariable}=1 but {reason}");
        }

        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var builder = await TestApp.CreateAsync("--KafkaDemo:Controller:Enabled=false", "--KafkaDemo:Rate=1000", "--KafkaDemo:Producers=2");
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

        if (Unavailable is not null)
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
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
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
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
