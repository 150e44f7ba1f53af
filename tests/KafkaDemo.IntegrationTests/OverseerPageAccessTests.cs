using System.Net;
using System.Text.RegularExpressions;
using KafkaDemo.TestSupport;

namespace KafkaDemo.IntegrationTests;

/// <summary>
/// The Overseer run on its own: its page opens only through a login link, even without a control
/// token (then one is generated for the run and printed), and only from this machine.
/// </summary>
public sealed partial class OverseerPageAccessTests
{
    private const string Token = "standalone-overseer-token-0123456789";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>An Overseer polling instances that are not there: the page and its access are what is tested.</summary>
    private static ServiceProcess Overseer(IReadOnlyDictionary<string, string> environment, string listen = "127.0.0.1") =>
        ServiceProcess.Start(
            "KafkaDemo.Overseer",
            ["--Overseer:Producers:0=http://127.0.0.1:9", "--Overseer:Consumers:0=http://127.0.0.1:9", "--Overseer:Mode=embedded"],
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

    [GeneratedRegex(@"http://[^\s]+/login\?t=[0-9a-f]{32}")]
    private static partial Regex LoginLink();
}
