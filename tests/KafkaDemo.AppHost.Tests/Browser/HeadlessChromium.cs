using Microsoft.Playwright;

namespace KafkaDemo.AppHost.Tests.Browser;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright: what every browser test uses. Playwright's own
/// browser download does not work here, so it must be the Debian package.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    /// <summary>Where Debian's package puts Chromium.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Set by .ci/run: a missing browser fails the run instead of skipping the tests.</summary>
    public const string RequireBrowserVariable = "KAFKADEMO_REQUIRE_BROWSER";

    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Why the browser tests cannot run here, or null when they can.</summary>
    public static string? Unavailable =>
        File.Exists(ChromiumPath) ? null : $"Chromium is not installed at {ChromiumPath} (Debian package chromium); .ci/run installs it.";

    /// <summary>Fails when the browser is missing but required (in CI), so no browser test is skipped there.</summary>
    /// <exception cref="InvalidOperationException">It is required and missing.</exception>
    public static void ThrowIfRequiredButMissing()
    {
        if (Unavailable is { } reason && Environment.GetEnvironmentVariable(RequireBrowserVariable) == "1")
        {
            throw new InvalidOperationException($"{RequireBrowserVariable}=1 but {reason}");
        }
    }

    /// <summary>Starts the browser, or returns null when it is not installed (the tests then skip with <see cref="Unavailable"/>).</summary>
    public static async Task<HeadlessChromium?> LaunchIfInstalledAsync()
    {
        if (Unavailable is not null)
        {
            return null;
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
            });
            return new HeadlessChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
