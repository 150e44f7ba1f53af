using System.Net;
using System.Net.WebSockets;

namespace KafkaDemo.AppHost.Tests.Running;

/// <summary>
/// The Overseer page and its Blazor hub over plain HTTP: refused without the session cookie from
/// <c>/login?t=</c>, open with it, refused from another origin; reading stays open; and the
/// dashboard's link to the Overseer is the login link.
/// </summary>
[Collection(SharedRunningApp.Name)]
public sealed class PageAccessTests(RunningApp app)
{
    private const string Negotiate = "/_blazor/negotiate?negotiateVersion=1";

    /// <summary>A client that neither follows redirects nor keeps cookies: every request says what it carries.</summary>
    private HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.OverseerUrl };

    [Fact]
    public async Task Without_the_session_the_page_and_every_hub_endpoint_are_refused()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var client = Client();

        using (var page = await client.GetAsync(new Uri("/", UriKind.Relative), cancel))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            var body = await page.Content.ReadAsStringAsync(cancel);
            Assert.Contains("data-testid=\"login-help\"", body, StringComparison.Ordinal);
            Assert.Contains("/login?t=", body, StringComparison.Ordinal);
            Assert.DoesNotContain(TestApp.ControlToken, body, StringComparison.Ordinal);
            Assert.DoesNotContain("blazor.web.js", body, StringComparison.Ordinal); // nothing on it could open a circuit
            Assert.Equal("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        }

        foreach (var (method, path) in new[] { ("POST", Negotiate), ("GET", "/_blazor?id=x"), ("GET", "/_blazor/initializers"), ("POST", "/_blazor/disconnect"), ("POST", "/_BLAZOR/negotiate?negotiateVersion=1") })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), cancel);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {(int)response.StatusCode}.");
        }
    }

    [Fact]
    public async Task Reading_health_and_static_assets_need_no_session()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var client = Client();
        foreach (var path in new[] { "/api/summary", "/api/run", "/health", "/app.css", "/_framework/blazor.web.js" })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative), cancel);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}.");
        }
    }

    [Fact]
    public async Task The_login_link_sets_a_strict_http_only_cookie_and_redirects_the_token_out_of_the_address_bar()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var client = Client();
        using var login = await client.GetAsync(new Uri("/login?t=" + TestApp.ControlToken, UriKind.Relative), cancel);

        Assert.Equal(HttpStatusCode.Found, login.StatusCode);
        Assert.Equal("/", login.Headers.Location?.OriginalString);
        Assert.Equal("no-referrer", login.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("no-store", login.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("KafkaDemo.Overseer.Session=", setCookie, StringComparison.Ordinal);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", setCookie, StringComparison.OrdinalIgnoreCase); // plain HTTP: Secure only over HTTPS
        Assert.DoesNotContain(TestApp.ControlToken, setCookie, StringComparison.Ordinal);
        var cookie = setCookie.Split(';')[0];

        // With it, the page and the hub answer.
        using (var page = await client.SendAsync(WithCookie(HttpMethod.Get, "/", cookie), cancel))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("data-testid=\"dashboard\"", await page.Content.ReadAsStringAsync(cancel), StringComparison.Ordinal);
            Assert.Equal("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        }

        using (var negotiate = await client.SendAsync(WithCookie(HttpMethod.Post, Negotiate, cookie), cancel))
        {
            Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
            Assert.Contains("connectionToken", await negotiate.Content.ReadAsStringAsync(cancel), StringComparison.Ordinal);
        }

        using (var own = await client.SendAsync(WithCookie(HttpMethod.Post, Negotiate, cookie, ("Origin", $"http://{app.OverseerUrl.Authority}")), cancel))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        // The WebSocket handshake too: without the cookie 401, from another origin 403.
        Assert.Equal(HttpStatusCode.Unauthorized, await HandshakeAsync(cookie: null, origin: $"http://{app.OverseerUrl.Authority}"));
        Assert.Equal(HttpStatusCode.Forbidden, await HandshakeAsync(cookie, origin: "http://localhost:9999"));

        // From another origin, even on this host and with the cookie (cookies ignore ports): 403.
        foreach (var header in new[] { ("Origin", "http://localhost:9999"), ("Origin", $"http://127.0.0.1:{app.OverseerUrl.Port + 1}"), ("Origin", "null"), ("Sec-Fetch-Site", "same-site"), ("Sec-Fetch-Site", "cross-site") })
        {
            using var foreign = await client.SendAsync(WithCookie(HttpMethod.Post, Negotiate, cookie, header), cancel);
            Assert.True(foreign.StatusCode == HttpStatusCode.Forbidden, $"{header.Item1}: {header.Item2} answered {(int)foreign.StatusCode}.");
        }
    }

    [Fact]
    public async Task A_wrong_or_missing_token_gets_the_help_page_without_a_cookie_or_the_token()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var client = Client();
        foreach (var token in new[] { "", "wrong-token-0123456789abcdef", TestApp.ControlToken + "x", TestApp.ControlToken[..^1] })
        {
            using var response = await client.GetAsync(new Uri("/login?t=" + token, UriKind.Relative), cancel);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.False(response.Headers.Contains("Set-Cookie"), $"A cookie for the token '{token}'.");
            var body = await response.Content.ReadAsStringAsync(cancel);
            Assert.Contains("data-testid=\"login-help\"", body, StringComparison.Ordinal);
            Assert.True(token.Length == 0 || !body.Contains(token, StringComparison.Ordinal), "The page echoes the token it was given.");
            Assert.Equal(token.Length > 0, body.Contains("login-refused", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_dashboards_link_to_the_overseer_is_the_login_link_and_the_apphost_prints_it()
    {
        var cancel = TestContext.Current.CancellationToken;
        var expected = app.OverseerLoginUrl.ToString();

        Assert.True(app.App.ResourceNotifications.TryGetCurrentState("overseer", out var overseer), "No overseer resource.");
        var link = Assert.Single(overseer.Snapshot.Urls, u => u.Name == "http");
        Assert.Equal(expected, link.Url);
        Assert.Equal(KafkaDemo.AppHost.Extensions.OverseerLoginExtensions.LinkText, link.DisplayProperties.DisplayName); // the dashboard shows this, not the token

        Assert.Contains(app.AppHostLog.Lines, l => l.Contains(expected, StringComparison.Ordinal));

        // Following it logs in.
        using var client = Client();
        using var login = await client.GetAsync(new Uri(link.Url), cancel);
        Assert.Equal(HttpStatusCode.Found, login.StatusCode);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie")).Split(';')[0];
        using var page = await client.SendAsync(WithCookie(HttpMethod.Get, "/", cookie), cancel);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    /// <summary>What a WebSocket handshake to the hub is answered.</summary>
    private async Task<HttpStatusCode> HandshakeAsync(string? cookie, string origin)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", origin);
        if (cookie is not null)
        {
            socket.Options.SetRequestHeader("Cookie", cookie);
        }

        var uri = new UriBuilder(app.OverseerUrl) { Scheme = "ws", Path = "/_blazor", Query = "id=none" }.Uri;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, TestContext.Current.CancellationToken));
        return socket.HttpStatusCode;
    }

    private static HttpRequestMessage WithCookie(HttpMethod method, string path, string cookie, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Cookie", cookie);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}
