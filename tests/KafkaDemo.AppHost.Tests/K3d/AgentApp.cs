using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using KafkaDemo.AppHost.Tests.Browser;
using KafkaDemo.AppHost.Tests.Running;
using KafkaDemo.TestSupport;
using Microsoft.Playwright;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// The whole app in k3d mode against the fake cluster, with an LLM key, so the agent is configured:
/// started once for the agent tests, with a headless Chromium when one is installed.
/// </summary>
public sealed class AgentApp : IAsyncLifetime
{
    /// <summary>A key that looks like one; it must never show up anywhere but the agent's Secret.</summary>
    public const string LlmKey = "sk-ant-test-llm-key-0123456789abcdefXYZ";

    /// <summary>
    /// <c>vibectl auto</c>'s iterations per round here: the most the Overseer allows, so one round of
    /// the scripted vibectl prints about 300 lines, as a real <c>auto --limit 5</c> prints hundreds.
    /// </summary>
    public const int Limit = 50;

    /// <summary>
    /// A round's timeout here, in the agent pod's clock, which <see cref="FakeCluster.PodClockFactor"/>
    /// runs faster (coreutils <c>timeout</c> in the pod fires after about 40 s of real time): long
    /// enough for a session of <see cref="Limit"/> iterations, each followed by vibectl's 5 s
    /// <c>--interval</c> sleep (vibectl 0.11.6 subcommands/auto_cmd.py run_auto_command), short
    /// enough for a test to see a hung round time out.
    /// </summary>
    public const int RoundTimeoutSeconds = 4000;

    /// <summary><see cref="RoundTimeoutSeconds"/> in real time.</summary>
    public static TimeSpan RoundTimeoutRealTime { get; } = TimeSpan.FromSeconds(RoundTimeoutSeconds / FakeCluster.PodClockFactor);

    /// <summary>How often the Overseer reads the brokers' metrics here: often, so a test sees a change soon.</summary>
    public const int BrokerPollSeconds = 2;

    private FakeCluster? _cluster;
    private HeadlessChromium? _chromium;

    internal FakeCluster Cluster => _cluster ?? throw new InvalidOperationException("Not started.");

    public DistributedApplication App { get; private set; } = default!;

    public HttpClient Overseer { get; private set; } = default!;

    /// <summary>The browser, or null when it is not installed.</summary>
    public IBrowser? Browser => _chromium?.Browser;

    public async ValueTask InitializeAsync()
    {
        if (SharedReference.K8sReference is null)
        {
            return; // the tests skip (or, in CI, fail) with the reason
        }

        HeadlessChromium.ThrowIfRequiredButMissing();

        _cluster = await FakeCluster.StartAsync();
        App = await _cluster.StartAppAsync(
            builder => builder.CreateResourceBuilder<ProjectResource>("overseer")
                .WithEnvironment("Overseer__Agent__Limit", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithEnvironment("Overseer__Agent__RoundTimeoutSeconds", RoundTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithEnvironment("Overseer__Agent__FirstRoundAfterSeconds", "86400") // rounds only when a test asks: no scheduled round between its steps
                .WithEnvironment("Overseer__BrokerMetrics__PollSeconds", BrokerPollSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "--KafkaDemo:Agent:IntervalSeconds=86400", "--KafkaDemo:Rate=500", "--KafkaDemo:Controller:Enabled=false", $"--Parameters:llm-api-key={LlmKey}");
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await App.ResourceNotifications.WaitForResourceAsync("vibectl", e => e.Snapshot.State?.Text is "Running" or "FailedToStart", startup.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("overseer", startup.Token);
        Overseer = App.CreateHttpClient("overseer");
        Overseer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestApp.ControlToken);
        _chromium = await HeadlessChromium.LaunchIfInstalledAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        Overseer?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SharedAgentApp : ICollectionFixture<AgentApp>
{
    public const string Name = "agent app";
}
