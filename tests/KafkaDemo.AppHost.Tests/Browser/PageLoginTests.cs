using System.Collections.Concurrent;
using System.Text.Json;
using KafkaDemo.AppHost.Tests.Running;
using KafkaDemo.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace KafkaDemo.AppHost.Tests.Browser;

/// <summary>The Overseer page's login in Debian's Chromium: no circuit without it, the link, and no other origin on the hub.</summary>
[Collection(SharedRunningApp.Name)]
public sealed class PageLoginTests(RunningApp app)
{
    private static readonly float Timeout = 20_000;

    [Fact]
    public async Task Without_logging_in_no_circuit_opens_and_the_page_says_how_to_log_in()
    {
        Assert.SkipWhen(HeadlessChromium.Unavailable is not null, HeadlessChromium.Unavailable ?? "");
        await using var context = await app.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var sockets = new List<string>();
        var hubRequests = new List<string>();
        page.WebSocket += (_, socket) => sockets.Add(socket.Url);
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/_blazor", StringComparison.Ordinal))
            {
                hubRequests.Add(request.Url);
            }
        };

        var response = await page.GotoAsync(app.OverseerUrl.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle, Timeout = Timeout });

        Assert.Equal(401, response!.Status);
        await Assertions.Expect(page.Locator("[data-testid=login-help]")).ToContainTextAsync("/login?t=", new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=login-help]")).ToContainTextAsync("Aspire dashboard", new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=dashboard]")).ToHaveCountAsync(0);
        Assert.Empty(sockets);
        Assert.Empty(hubRequests);
        Assert.DoesNotContain(TestApp.ControlToken, await page.ContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_token_gets_the_help_page_without_the_token_and_no_session()
    {
        Assert.SkipWhen(HeadlessChromium.Unavailable is not null, HeadlessChromium.Unavailable ?? "");
        await using var context = await app.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        const string Wrong = "not-the-token-but-close-0123456789";

        var response = await page.GotoAsync(new Uri(app.OverseerUrl, "/login?t=" + Wrong).ToString(), new PageGotoOptions { Timeout = Timeout });

        Assert.Equal(401, response!.Status);
        await Assertions.Expect(page.Locator("[data-testid=login-refused]")).ToBeVisibleAsync(new() { Timeout = Timeout });
        Assert.DoesNotContain(Wrong, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Empty(await context.CookiesAsync());
    }

    [Fact]
    public async Task The_login_link_opens_the_live_page_and_takes_the_token_out_of_the_address_bar()
    {
        Assert.SkipWhen(HeadlessChromium.Unavailable is not null, HeadlessChromium.Unavailable ?? "");
        await using var context = await app.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var sockets = new List<string>();
        page.WebSocket += (_, socket) => sockets.Add(socket.Url);

        await page.GotoAsync(app.OverseerLoginUrl.ToString(), new PageGotoOptions { Timeout = Timeout });

        await Assertions.Expect(page).ToHaveURLAsync(app.OverseerUrl.ToString(), new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=dashboard]")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=figure-lost] .value")).ToHaveTextAsync("0", new() { Timeout = Timeout });
        Assert.Contains(sockets, url => url.Contains("/_blazor", StringComparison.Ordinal));
        Assert.DoesNotContain(TestApp.ControlToken, page.Url, StringComparison.Ordinal);
        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "KafkaDemo.Overseer.Session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(TestApp.ControlToken, cookie.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_from_another_origin_cannot_negotiate_with_the_hub_or_open_its_websocket()
    {
        Assert.SkipWhen(HeadlessChromium.Unavailable is not null, HeadlessChromium.Unavailable ?? "");
        var cancel = TestContext.Current.CancellationToken;
        await using var foreign = await ForeignSite.StartAsync(app.OverseerUrl, cancel);
        await using var context = await app.Browser.NewContextAsync();

        // Logged in: the browser holds the session cookie for localhost, and sends it to any port
        // of localhost, including from the other site's page.
        var page = await context.NewPageAsync();
        await page.GotoAsync(app.OverseerLoginUrl.ToString(), new PageGotoOptions { Timeout = Timeout });
        await Assertions.Expect(page.Locator("[data-testid=dashboard]")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = Timeout });

        // The other site's page, watched through the DevTools protocol: Playwright reports no
        // response for a fetch that then fails its CORS check, DevTools does.
        var attacker = await context.NewPageAsync();
        var cdp = await context.NewCDPSessionAsync(attacker);
        var seen = new ConcurrentQueue<(string Name, JsonElement Event)>();
        foreach (var name in new[] { "Network.requestWillBeSent", "Network.requestWillBeSentExtraInfo", "Network.responseReceivedExtraInfo", "Network.webSocketCreated", "Network.webSocketHandshakeResponseReceived" })
        {
            cdp.Event(name).OnEvent += (_, e) =>
            {
                if (e is { } found)
                {
                    seen.Enqueue((name, found.Clone()));
                }
            };
        }

        await cdp.SendAsync("Network.enable");
        await attacker.GotoAsync(foreign.Url.ToString(), new PageGotoOptions { Timeout = Timeout });

        // The script tried both; neither got through.
        await Assertions.Expect(attacker.Locator("#negotiate")).Not.ToHaveTextAsync("pending", new() { Timeout = Timeout });
        await Assertions.Expect(attacker.Locator("#websocket")).Not.ToHaveTextAsync("pending", new() { Timeout = Timeout });
        await Assertions.Expect(attacker.Locator("#websocket")).Not.ToHaveTextAsync("open");
        await Assertions.Expect(attacker.Locator("#negotiate")).Not.ToHaveTextAsync("200");

        // What went over the wire: the negotiation carried the session cookie and the other
        // site's Origin, and the Overseer answered 403 (the Origin check), not 401.
        string? negotiate = null;
        JsonElement answer = default;
        await Eventually.TrueAsync(
            () =>
            {
                negotiate ??= seen.Where(e => e.Name == "Network.requestWillBeSent"
                        && e.Event.GetProperty("request").GetProperty("url").GetString()!.Contains("/_blazor/negotiate", StringComparison.Ordinal))
                    .Select(e => e.Event.GetProperty("requestId").GetString()).FirstOrDefault();
                var found = seen.FirstOrDefault(e => e.Name == "Network.responseReceivedExtraInfo" && e.Event.GetProperty("requestId").GetString() == negotiate);
                answer = found.Event;
                return Task.FromResult(found.Name is not null);
            },
            TimeSpan.FromSeconds(20),
            "The browser saw no answer to the negotiation.");
        Assert.Equal(403, answer.GetProperty("statusCode").GetInt32());
        var sent = seen.First(e => e.Name == "Network.requestWillBeSentExtraInfo" && e.Event.GetProperty("requestId").GetString() == negotiate).Event;
        Assert.Contains(sent.GetProperty("associatedCookies").EnumerateArray(), c =>
            c.GetProperty("cookie").GetProperty("name").GetString() == "KafkaDemo.Overseer.Session" && c.GetProperty("blockedReasons").GetArrayLength() == 0);
        Assert.Equal(foreign.Url.GetLeftPart(UriPartial.Authority), sent.GetProperty("headers").GetProperty("Origin").GetString());

        // The WebSocket was tried and never accepted (no 101 handshake).
        Assert.Contains(seen, e => e.Name == "Network.webSocketCreated" && e.Event.GetProperty("url").GetString()!.EndsWith("/_blazor", StringComparison.Ordinal));
        Assert.DoesNotContain(seen, e => e.Name == "Network.webSocketHandshakeResponseReceived" && e.Event.GetProperty("response").GetProperty("status").GetInt32() == 101);

        // The Overseer's own page is still live.
        await Assertions.Expect(page.Locator("[data-testid=dashboard]")).ToHaveAttributeAsync("data-interactive", "true");
    }

    /// <summary>A second Kestrel on another loopback port, serving a page whose script tries to drive the Overseer's hub.</summary>
    private sealed class ForeignSite : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private ForeignSite(WebApplication app, Uri url)
        {
            _app = app;
            Url = url;
        }

        public Uri Url { get; }

        public static async Task<ForeignSite> StartAsync(Uri overseer, CancellationToken cancellationToken)
        {
            var port = FreePorts.Block(1);
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://localhost:{port}");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var target = $"{overseer.Scheme}://{overseer.Authority}";
            var socket = target.Replace("http://", "ws://", StringComparison.Ordinal);
            app.MapGet("/", () => Results.Content($$"""
                <!DOCTYPE html>
                <html><body>
                <p>negotiate: <span id="negotiate">pending</span></p>
                <p>websocket: <span id="websocket">pending</span></p>
                <script>
                fetch('{{target}}/_blazor/negotiate?negotiateVersion=1', { method: 'POST', credentials: 'include' })
                  .then(r => document.getElementById('negotiate').textContent = String(r.status))
                  .catch(e => document.getElementById('negotiate').textContent = 'refused: ' + e);
                const ws = new WebSocket('{{socket}}/_blazor');
                ws.onopen = () => { document.getElementById('websocket').textContent = 'open'; ws.close(); };
                ws.onerror = () => document.getElementById('websocket').textContent = 'refused';
                ws.onclose = e => { if (document.getElementById('websocket').textContent === 'pending') document.getElementById('websocket').textContent = 'closed ' + e.code; };
                </script>
                </body></html>
                """, "text/html"));
            await app.StartAsync(cancellationToken);

            // localhost, like the Overseer's address: the same site, another origin.
            return new ForeignSite(app, new Uri($"http://localhost:{port}/"));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
