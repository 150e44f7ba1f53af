using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.AppHost.Tests.Running;
using Microsoft.Playwright;

namespace KafkaDemo.AppHost.Tests.Browser;

/// <summary>The Overseer page in Debian's Chromium, against the whole app.</summary>
[Collection(SharedRunningApp.Name)]
public sealed class OverseerPageTests(RunningApp app)
{
    private static readonly float Timeout = 20_000;

    private async Task<(IPage Page, List<string> Errors)> OpenAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => errors.Add($"page error: {error}");
        // The page opens only through its login link, which redirects to it with a session.
        await page.GotoAsync(app.OverseerLoginUrl.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle, Timeout = Timeout });
        // Wait for the live (interactive) render, not just the prerendered HTML.
        await page.Locator("[data-testid=dashboard][data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = Timeout });
        return (page, errors);
    }

    private async Task<List<double>> ProducerRatesAsync()
    {
        var rates = new List<double>();
        foreach (var producer in app.Producers)
        {
            rates.Add((await producer.GetFromJsonAsync<LoadSettings>("/api/rate", TestContext.Current.CancellationToken))!.Rate);
        }

        return rates;
    }

    [Fact]
    public async Task The_page_loads_with_no_console_errors()
    {
        Assert.SkipWhen(HeadlessChromium.Unavailable is not null, HeadlessChromium.Unavailable ?? "");
        await using var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        var (page, errors) = await OpenAsync(context);

        await page.WaitForTimeoutAsync(3_000); // a few live updates
        Assert.Empty(errors);
        await Assertions.Expect(page.Locator("[data-testid=mode] strong")).ToHaveTextAsync("embedded", new() { UseInnerText = true, Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=bootstrap]")).ToContainTextAsync("127.0.0.1:", new() { UseInnerText = true, Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=agent-panel]")).ToContainTextAsync("No agent runs in embedded mode", new() { UseInnerText = true, Timeout = Timeout });

        Directory.CreateDirectory("screenshots");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine("screenshots", "overseer.png"), FullPage = true });
    }

    [Fact]
    public async Task The_live_figures_change_within_a_few_seconds()
    {
        Assert.SkipWhen(HeadlessChromium.Unavailable is not null, HeadlessChromium.Unavailable ?? "");
        await using var context = await app.Browser.NewContextAsync();
        var (page, errors) = await OpenAsync(context);
        var figures = page.Locator("[data-testid=figure-consumer-rate] .value, [data-testid=figure-p50] .value, [data-testid=figure-p99] .value");
        var first = await figures.AllInnerTextsAsync();

        // Some figure differs from what was first shown within 10 s (the live updates come every second).
        await Assertions.Expect(figures).Not.ToHaveTextAsync([.. first], new() { UseInnerText = true, Timeout = 10_000 });
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Setting_the_rate_on_the_page_changes_the_producers_target()
    {
        Assert.SkipWhen(HeadlessChromium.Unavailable is not null, HeadlessChromium.Unavailable ?? "");
        await using var context = await app.Browser.NewContextAsync();
        var (page, errors) = await OpenAsync(context);
        var wanted = 1000 + Random.Shared.Next(1, 50) * 10;

        await page.Locator("input[name=rate-input]").FillAsync(wanted.ToString(CultureInfo.InvariantCulture));
        await page.Locator("input[name=rate-input]").BlurAsync();
        await page.Locator("[data-testid=rate-set]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=control-status]")).ToContainTextAsync("Rate set", new() { Timeout = Timeout });

        Assert.Equal([wanted / 2.0, wanted / 2.0], await ProducerRatesAsync()); // split over the two producers
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("1e-300", "The rate is missing or not a number")] // the rate that once froze a producer; the number box does not read exponents
    [InlineData("1.5", "each of the 2 producers")] // under 1 msg/s for each of the two producers
    [InlineData("6000000", "each of the 2 producers")] // over the maximum: refused, not clamped to it
    public async Task An_invalid_rate_is_refused_on_the_page_and_changes_nothing(string rate, string why)
    {
        Assert.SkipWhen(HeadlessChromium.Unavailable is not null, HeadlessChromium.Unavailable ?? "");
        await using var context = await app.Browser.NewContextAsync();
        var (page, errors) = await OpenAsync(context);
        var before = await ProducerRatesAsync();

        await page.Locator("input[name=rate-input]").FillAsync(rate);
        await page.Locator("input[name=rate-input]").BlurAsync();
        await page.Locator("[data-testid=rate-set]").ClickAsync();

        // The page must not clamp or round the value into a valid one: it refuses it, naming the limits.
        var status = page.Locator("[data-testid=control-status]");
        await Assertions.Expect(status).ToContainTextAsync(why, new() { Timeout = Timeout });
        await Assertions.Expect(status).ToContainTextAsync("0 (unthrottled) or from", new() { Timeout = Timeout });
        await Assertions.Expect(status).ToContainClassAsync("over-slo", new() { Timeout = Timeout });
        Assert.Equal(before, await ProducerRatesAsync());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_invalid_slo_is_refused_on_the_page_and_changes_nothing()
    {
        Assert.SkipWhen(HeadlessChromium.Unavailable is not null, HeadlessChromium.Unavailable ?? "");
        await using var context = await app.Browser.NewContextAsync();
        var (page, errors) = await OpenAsync(context);
        var before = await app.Overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", TestContext.Current.CancellationToken);

        await page.Locator("input[name=slo-input]").FillAsync("0");
        await page.Locator("input[name=slo-input]").BlurAsync();
        await page.Locator("[data-testid=slo-set]").ClickAsync();

        var status = page.Locator("[data-testid=control-status]");
        await Assertions.Expect(status).ToContainTextAsync("from 1 to 60,000", new() { Timeout = Timeout });
        await Assertions.Expect(status).ToContainClassAsync("over-slo", new() { Timeout = Timeout });
        var after = await app.Overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", TestContext.Current.CancellationToken);
        Assert.Equal(before!.Controller.SloP99Ms, after!.Controller.SloP99Ms);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_export_button_downloads_the_run_as_valid_json()
    {
        Assert.SkipWhen(HeadlessChromium.Unavailable is not null, HeadlessChromium.Unavailable ?? "");
        await using var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions { AcceptDownloads = true });
        var (page, errors) = await OpenAsync(context);

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=download-run]").ClickAsync());
        var path = await download.PathAsync();

        Assert.EndsWith(".json", download.SuggestedFilename, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
        var root = document.RootElement;
        Assert.Equal("kafkademo", root.GetProperty("workload").GetString());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("publishRate").ValueKind);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("endToEndLatency99pct").ValueKind);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("events").ValueKind);
        Assert.Empty(errors);
    }
}
