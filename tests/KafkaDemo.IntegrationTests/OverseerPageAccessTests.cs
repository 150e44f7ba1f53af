using System.Net;
using System.Text.RegularExpressions;
using KafkaDemo.TestSupport;

namespace KafkaDemo.IntegrationTests;

/// <summary>
/// The Overseer run on its own: its page opens only through a login link, even without a control
/// token (then one is generated for the run and printed), and only from this machine unless
/// Overseer:Page:AllowRemote opens it, with the login link, to others.
/// </summary>
public sealed partial class OverseerPageAccessTests
{
    private const string Token = "standalone-overseer-token-0123456789";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>An Overseer polling instances that are not there: the page and its access are what is tested.</summary>
    private static ServiceProcess Overseer(IReadOnlyDictionary<string, string> environment, string listen = "127.0.0.1") =>
        ServiceProcess.Start(
            "KafkaDemo.Overseer",
            ["--Overseer:Producers:0=http://127.0.0.1:9", "--Overseer:Consumers:0=http://127.0.0.1:7", "--Overseer:Mode=embedded"],
            new Dictionary<string, string>(environment) { ["Logging__LogLevel__Default"] = "Warning" },
            listen);

    private static HttpClient Client(string baseUrl) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Without_a_control_token_the_page_still_needs_a_login_whose_link_is_printed_at_start()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var overseer = Overseer(new Dictionary<string, string>());
        await overseer.WaitHealthyAsync(Deadline);
        using var client = Client($"http://127.0.0.1:{overseer.Port}");

        using (var page = await client.GetAsync(new Uri("/", UriKind.Relative), cancel))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        }

        // The link is in its output: this run's token, 128 random bits.
        Match? link = null;
        await Eventually.TrueAsync(() => Task.FromResult((link = LoginLink().Match(overseer.Output)).Success), Deadline, $"No login link printed:\n{overseer.Output}");
        using var login = await client.GetAsync(new Uri(link!.Value), cancel);
        Assert.Equal(HttpStatusCode.Found, login.StatusCode);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie")).Split(';')[0];

        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.TryAddWithoutValidation("Cookie", cookie);
        using var opened = await client.SendAsync(request, cancel);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);

        // Another run's token is refused: a guessed or old link opens nothing.
        using var wrong = await client.GetAsync(new Uri("/login?t=" + new string('0', 32), UriKind.Relative), cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task A_session_from_another_overseer_on_this_host_does_not_open_the_page()
    {
        var cancel = TestContext.Current.CancellationToken;

        // Browsers send a localhost cookie to every port of localhost: B receives A's session.
        using var a = Overseer(new Dictionary<string, string>());
        using var b = Overseer(new Dictionary<string, string> { ["Control__Token"] = Token });
        await a.WaitHealthyAsync(Deadline);
        await b.WaitHealthyAsync(Deadline);
        Match? link = null;
        await Eventually.TrueAsync(() => Task.FromResult((link = LoginLink().Match(a.Output)).Success), Deadline, $"No login link printed:\n{a.Output}");
        using var client = Client($"http://127.0.0.1:{b.Port}");
        using var login = await client.GetAsync(new Uri(link!.Value), cancel);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie")).Split(';')[0];

        foreach (var (method, path) in new[] { ("GET", "/"), ("POST", "/_blazor/negotiate?negotiateVersion=1") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            request.Headers.TryAddWithoutValidation("Cookie", cookie);
            using var response = await client.SendAsync(request, cancel);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} on the other Overseer answered {(int)response.StatusCode} to its session.");
        }
    }

    [Fact]
    public async Task Listening_beyond_loopback_the_page_its_hub_and_the_login_answer_only_this_machine()
    {
        var cancel = TestContext.Current.CancellationToken;
        var outward = OutwardAddress.Find();
        Assert.SkipWhen(outward is null, "This machine has no address besides loopback to send a request from.");
        using var overseer = Overseer(new Dictionary<string, string> { ["Control__Token"] = Token }, listen: "0.0.0.0");
        await overseer.WaitHealthyAsync(Deadline);

        // From this machine's outward address, with the right token and a loopback Host name: refused.
        using var remote = Client($"http://{outward}:{overseer.Port}");
        foreach (var (method, path) in new[] { ("GET", "/"), ("GET", "/login?t=" + Token), ("POST", "/_blazor/negotiate?negotiateVersion=1") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            request.Headers.Host = $"localhost:{overseer.Port}";
            using var response = await remote.SendAsync(request, cancel);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} from {outward} answered {(int)response.StatusCode}.");
            Assert.False(response.Headers.Contains("Set-Cookie"), $"{method} {path} from {outward} set a cookie.");
        }

        // Reading stays open to the network, as before.
        using (var summary = new HttpRequestMessage(HttpMethod.Get, "/api/summary"))
        {
            summary.Headers.Host = $"localhost:{overseer.Port}";
            using var read = await remote.SendAsync(summary, cancel);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        // From loopback the login works.
        using var local = Client($"http://127.0.0.1:{overseer.Port}");
        using var login = await local.GetAsync(new Uri("/login?t=" + Token, UriKind.Relative), cancel);
        Assert.Equal(HttpStatusCode.Found, login.StatusCode);
    }

    [Fact]
    public async Task With_AllowRemote_another_machine_opens_the_page_only_with_the_login_link_and_its_own_origin()
    {
        var cancel = TestContext.Current.CancellationToken;
        var outward = OutwardAddress.Find();
        Assert.SkipWhen(outward is null, "This machine has no address besides loopback to send a request from.");
        using var overseer = Overseer(new Dictionary<string, string> { ["Control__Token"] = Token, ["Overseer__Page__AllowRemote"] = "true" }, listen: "0.0.0.0");
        await overseer.WaitHealthyAsync(Deadline);
        using var remote = Client($"http://{outward}:{overseer.Port}");
        var host = $"localhost:{overseer.Port}";

        // Without a session: the help page and 401, as on loopback; a wrong token sets no cookie.
        foreach (var path in new[] { "/", "/login?t=not-the-token", "/login" })
        {
            using var response = await SendAsync(remote, HttpMethod.Get, path, host, cookie: null, origin: null, cancel);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"GET {path} from {outward} answered {(int)response.StatusCode}.");
            Assert.False(response.Headers.Contains("Set-Cookie"), $"GET {path} from {outward} set a cookie.");
        }

        using (var negotiate = await SendAsync(remote, HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1", host, cookie: null, origin: null, cancel))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        }

        // The login link opens it.
        string cookie;
        using (var login = await SendAsync(remote, HttpMethod.Get, "/login?t=" + Token, host, cookie: null, origin: null, cancel))
        {
            Assert.Equal(HttpStatusCode.Found, login.StatusCode);
            cookie = Assert.Single(login.Headers.GetValues("Set-Cookie")).Split(';')[0];
        }

        using (var page = await SendAsync(remote, HttpMethod.Get, "/", host, cookie, origin: null, cancel))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        using (var own = await SendAsync(remote, HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1", host, cookie, origin: $"http://{host}", cancel))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        // The origin check stays: another site's page with the session is refused.
        using (var foreign = await SendAsync(remote, HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1", host, cookie, origin: "http://localhost:9999", cancel))
        {
            Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        }
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7;proto=http")]
    public async Task A_request_a_proxy_forwarded_is_not_from_this_machine(string header, string value)
    {
        var cancel = TestContext.Current.CancellationToken;
        using var overseer = Overseer(new Dictionary<string, string> { ["Control__Token"] = Token });
        await overseer.WaitHealthyAsync(Deadline);
        using var local = Client($"http://127.0.0.1:{overseer.Port}");

        foreach (var (method, path) in new[] { ("GET", "/"), ("GET", "/login?t=" + Token), ("POST", "/_blazor/negotiate?negotiateVersion=1") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            request.Headers.TryAddWithoutValidation(header, value);
            using var response = await local.SendAsync(request, cancel);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} with {header} answered {(int)response.StatusCode}.");
            Assert.False(response.Headers.Contains("Set-Cookie"), $"{method} {path} with {header} set a cookie.");
        }

        // The same login without the header works: the header alone made the difference.
        using var login = await local.GetAsync(new Uri("/login?t=" + Token, UriKind.Relative), cancel);
        Assert.Equal(HttpStatusCode.Found, login.StatusCode);
    }

    [Fact]
    public async Task Another_machine_that_sends_too_many_wrong_login_tokens_is_refused_for_a_while()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var overseer = Overseer(new Dictionary<string, string> { ["Control__Token"] = Token, ["Overseer__Page__AllowRemote"] = "true" });
        await overseer.WaitHealthyAsync(Deadline);
        using var local = Client($"http://127.0.0.1:{overseer.Port}");

        // Relayed by a proxy: another machine's login, counted by the proxy's address.
        async Task<HttpResponseMessage> RelayedLogin(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/login?t=" + token);
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");
            return await local.SendAsync(request, cancel);
        }

        for (var i = 0; i < 10; i++)
        {
            using var wrong = await RelayedLogin("not-the-token-" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var limited = await RelayedLogin(Token))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.NotNull(limited.Headers.RetryAfter?.Delta);
            Assert.False(limited.Headers.Contains("Set-Cookie"), "A refused login set a cookie.");
        }

        // This machine's login is never counted or refused.
        using var login = await local.GetAsync(new Uri("/login?t=" + Token, UriKind.Relative), cancel);
        Assert.Equal(HttpStatusCode.Found, login.StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string host, string? cookie, string? origin, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Host = host;
        if (cookie is not null)
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        return await client.SendAsync(request, cancel);
    }

    [GeneratedRegex(@"http://[^\s]+/login\?t=[0-9a-f]{32}")]
    private static partial Regex LoginLink();
}
