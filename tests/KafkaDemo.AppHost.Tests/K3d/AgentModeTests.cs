using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using KafkaDemo.AppHost.Tests.Browser;
using KafkaDemo.AppHost.Tests.Running;
using KafkaDemo.DeploymentContract.Strimzi;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.TestSupport;
using KafkaDemo.TestSupport.AgentContainer;
using KafkaDemo.TestSupport.BrokerMetrics;
using KafkaDemo.TestSupport.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// One full agent round through the real Overseer, in the whole app in k3d mode against the fake
/// cluster: the Overseer's pod exec into the pod the AppHost's Deployment runs, the agent
/// container's programs emulated from upstream source (vibectl 0.11.6, llm 0.26, the real kubectl
/// as the pod's service account; the model's answers scripted by TestSupport's DemoAgent, which
/// patches the Kafka resource once and says DONE), the Overseer's watch turning that into a
/// timeline event, the page showing it all.
/// </summary>
[Collection(SharedAgentApp.Name)]
public sealed class AgentModeTests(AgentApp fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private FakeCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task An_agent_round_writes_the_feedback_runs_auto_and_its_change_becomes_a_timeline_event()
    {
        SharedReference.RequireK8sReference();
        var output = TestContext.Current.TestOutputHelper!;
        var before = (await SummaryAsync()).Agent;
        Assert.True(before.State is "idle" or "failed", $"The agent is {before.State}: {before.Detail}");
        var agentChangesBefore = await EventCountAsync("broker-config", "(kubectl-patch)");

        // The Overseer has read every broker's metrics through the pod proxy twice, so they are in the block.
        await Eventually.TrueAsync(() => Task.FromResult(Cluster.Api.Requests.Count(r => r.Path.EndsWith(":9404/proxy/metrics", StringComparison.Ordinal) && r.StatusCode == 200) >= 6),
            Deadline, "The Overseer did not read the brokers' metrics.");

        var run = await fixture.Overseer.PostAsync("/api/agent/run", null, Token);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        AgentSummary? agent = null;
        await Eventually.TrueAsync(async () =>
        {
            agent = (await SummaryAsync()).Agent;
            return agent.Rounds > before.Rounds && agent.LastRun is { Result: not null };
        }, Deadline, "The agent round did not end.");
        Assert.True(agent!.LastRun!.Result == "ok", $"The round {agent.LastRun.Result}: {agent.LastRun.Reason}");
        Assert.Equal(0, agent.LastRun.ExitCode);
        Assert.Equal("idle", agent.State);

        var document = await fixture.Overseer.GetFromJsonAsync<AgentDocument>("/api/agent", Token);
        output.WriteLine("Memory before the round:\n" + (document!.MemoryBefore.Length == 0 ? "(empty)" : document.MemoryBefore));
        output.WriteLine("Memory after the Overseer's write:\n" + document.MemoryAfter);
        var lines = document.Rounds.Single(r => r.Round == agent.LastRun.Round).Lines;
        output.WriteLine("Output as the page shows it:\n" + string.Join('\n', lines.Select(l => $"{l.Stream,-8} {l.Kind,-15} {l.Text}")));
        Assert.StartsWith("<overseer>", document.MemoryAfter, StringComparison.Ordinal);
        Assert.Contains("Max sustainable rate at SLO", document.MemoryAfter, StringComparison.Ordinal);
        Assert.Matches(@"\nBrokers 3/3 \(JMX, [^)]+\): handler idle min (0\.87 -> )?0\.87, network idle min (0\.93 -> )?0\.93, queue total (0 -> )?0, produce p99 max (12\.5 -> )?12\.5 ms, under-replicated (0 -> )?0\.\n"
            + @"Per broker \(handler idle/network idle/queue/produce p99 ms/under-replicated\): kafkademo-dual-0 0\.87/0\.93/0/12\.5/0, kafkademo-dual-1 0\.87/0\.93/0/12\.5/0, kafkademo-dual-2 0\.87/0\.93/0/12\.5/0\.\n",
            document.MemoryAfter);
        Assert.Equal(document.MemoryAfter, Cluster.Vibectl.MemoryAtAuto.Last());
        // The planner's DONE after its one change ends the session early (vibectl 0.11.6 auto_cmd.py 164-167).
        Assert.Contains(lines, l => l is { Stream: "stderr", Kind: "note", Text: "Note: Auto session exited by user" });
        Assert.Contains(lines, l => l.Kind == "kubectl-command" && l.Text.StartsWith("🔄 Running: kubectl patch kafka kafkademo", StringComparison.Ordinal));

        // The agent's kubectl patch reached the Kafka resource; the Overseer's watch saw it.
        TimelineEventSeen? seen = null;
        await Eventually.TrueAsync(async () =>
        {
            var agentChanges = await EventsAsync("broker-config", "(kubectl-patch)");
            seen = agentChanges.LastOrDefault();
            return agentChanges.Count > agentChangesBefore;
        }, Deadline, "No timeline event for this round's change.");
        output.WriteLine($"Timeline event: {seen!.Message}");
        Assert.Matches(@"^num\.io\.threads \d+→\d+ \(kubectl-patch\)$", seen.Message);
        var export = await fixture.Overseer.GetFromJsonAsync<JsonObject>("/api/run", Token);
        var round = export!["agentRounds"]!.AsArray().Last()!;
        output.WriteLine("Run export round: " + round.ToJsonString());
        Assert.Contains(seen.Message, round["changes"]!.AsArray().Select(c => (string?)c));
        Assert.NotNull(round["before"]);
        Assert.Equal("ok", (string?)round["result"]);
        Assert.Null(round["reason"]);
        Assert.Contains(export["clusterChanges"]!.AsArray(), c => (string?)c!["fieldManager"] == "kubectl-patch");
        // The change started a new max-sustainable-rate measurement, named after it.
        var sustainable = (await SummaryAsync()).Controller.Sustainable!;
        Assert.Equal(seen.Message, sustainable.Configuration);
        Assert.True(sustainable.Measuring);
    }

    [Fact]
    public async Task No_secret_reaches_memory_exec_arguments_or_logs_and_the_key_reaches_only_the_agents_Secret()
    {
        SharedReference.RequireK8sReference();
        if ((await SummaryAsync()).Agent.Rounds == 0)
        {
            await fixture.Overseer.PostAsync("/api/agent/run", null, Token);
            await Eventually.TrueAsync(async () => (await SummaryAsync()).Agent.LastRun is { Result: not null }, Deadline, "No agent round ended.");
        }

        string[] secrets = [AgentApp.LlmKey, TestApp.Secret];
        var arguments = Cluster.Api.Execs.SelectMany(e => e.Command).ToList();
        Assert.NotEmpty(arguments);
        var document = await fixture.Overseer.GetFromJsonAsync<AgentDocument>("/api/agent", Token);
        var logs = new List<string>();
        foreach (var resource in new[] { "overseer", "vibectl", "kafka", "k3d", "producer", "consumer" })
        {
            logs.Add(await FakeCluster.LogsAsync(fixture.App, resource));
        }

        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(arguments, a => a.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, document!.MemoryAfter, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, Cluster.Vibectl.Memory, StringComparison.Ordinal);
            Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(Cluster.Api.Requests, r => r.Path.Contains(secret, StringComparison.Ordinal) || r.Query.Contains(secret, StringComparison.Ordinal));
        }

        // The HMAC secret never enters the cluster; the LLM key only as the agent's Secret.
        Assert.DoesNotContain(Cluster.Api.AppliedObjects, a => a.Configuration.ToJsonString().Contains(TestApp.Secret, StringComparison.Ordinal));
        var holders = Cluster.Api.AppliedObjects.Where(a => a.Configuration.ToJsonString().Contains(AgentApp.LlmKey, StringComparison.Ordinal)).ToList();
        var holder = Assert.Single(holders.Select(a => $"{a.Configuration["kind"]} {a.Namespace}/{a.Name}").Distinct());
        Assert.Equal("Secret kafkademo-agent/vibectl-llm", holder);
    }

    /// <summary>
    /// The model's planner answers an ERROR action whose message has three lines, the later ones
    /// indented, so the page must keep leading spaces. vibectl 0.11.6 prints it as
    /// <c>Error: LLM Planning Error: ...</c> (execution/vibe.py handle_vibe_request), then the
    /// message again as its recovery suggestions, then halts with <c>Error: Error in vibe command:
    /// LLM planning error: ...</c> (subcommands/auto_cmd.py run_auto_command, cli.py handle_exception),
    /// and exits 0.
    /// </summary>
    private const string FailureFirstLine = "The broker config cannot be changed as the goal asks:";

    private const string FailureIndented = "    num.io.threads is already at 16, the most this demo allows;";

    private const string FailureMoreIndented = "        num.network.threads would need a rolling restart.";

    private const string FailureReason = $"Error: LLM Planning Error: {FailureFirstLine}";

    private static ILocator RoundSection(IPage page, int round) => page.Locator($"[data-testid=agent-round][data-round='{round}']");

    [Fact]
    public async Task The_agent_panel_shows_each_round_as_a_section_line_by_line_and_keeps_what_the_person_opened()
    {
        SharedReference.RequireK8sReference();
        Assert.SkipWhen(fixture.Browser is null, HeadlessChromium.Unavailable ?? "");
        const float Wait = 60_000;

        // A failed round first: vibectl prints an error of three lines, twice, and exits 0.
        Cluster.Vibectl.PlannerError = $"{FailureFirstLine}\n{FailureIndented}\n{FailureMoreIndented}";
        int failed;
        try
        {
            failed = await RunRoundAsync();
        }
        finally
        {
            Cluster.Vibectl.PlannerError = null;
        }

        await using var context = await fixture.Browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1100 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"console: {message.Text}");
            }
        };
        await page.GotoAsync(TestApp.LoginUrl(fixture.App.GetEndpoint("overseer", "http")).ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
        await page.Locator("[data-testid=dashboard][data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

        // The failed round is the newest: open, its reason in its header.
        var failedRound = RoundSection(page, failed);
        await Assertions.Expect(failedRound.Locator("[data-testid=agent-round-result]")).ToHaveTextAsync("failed", new() { Timeout = Wait });
        await Assertions.Expect(failedRound.Locator("[data-testid=agent-round-reason]")).ToHaveTextAsync(FailureReason);
        await Assertions.Expect(failedRound).ToHaveJSPropertyAsync("open", true);

        // A round of a few hundred lines, run with a click: it opens, the one before closes.
        Cluster.Agent.Model.Planner = LongSession;
        try
        {
            await page.Locator("[data-testid=agent-run]").ClickAsync();
            await Assertions.Expect(RoundSection(page, failed + 1).Locator("[data-testid=agent-round-result]")).ToHaveTextAsync("ok", new() { Timeout = Wait });
        }
        finally
        {
            Cluster.Agent.Model.Planner = DemoAgent.Plan;
        }

        var ok = failed + 1;
        var okRound = RoundSection(page, ok);
        await Assertions.Expect(okRound).ToHaveJSPropertyAsync("open", true);
        await Assertions.Expect(failedRound).ToHaveJSPropertyAsync("open", false);
        await Assertions.Expect(okRound.Locator(".round-number")).ToHaveTextAsync($"Round {ok}");
        await Assertions.Expect(okRound.Locator(".round-meta")).ToHaveTextAsync(new Regex(@"^manual · \d{2}:\d{2}:\d{2} · \d+\.\d s$"));
        await Assertions.Expect(okRound.Locator("[data-testid=agent-round-changes]")).ToHaveTextAsync(new Regex(@"^Changes: num\.io\.threads \d+→\d+ \(kubectl-patch\)$"), new() { Timeout = Wait });

        // Every line the Overseer kept, one element each, told apart by kind.
        var document = await fixture.Overseer.GetFromJsonAsync<AgentDocument>("/api/agent", Token);
        var kept = document!.Rounds.Single(r => r.Round == ok).Lines;
        TestContext.Current.TestOutputHelper!.WriteLine("The long round:\n" + string.Join('\n', kept.Select(l => $"{l.Stream,-8} {l.Kind,-15} {l.Text}")));
        TestContext.Current.TestOutputHelper!.WriteLine("The failed round:\n" + string.Join('\n', document.Rounds.Single(r => r.Round == failed).Lines.Select(l => $"{l.Stream,-8} {l.Kind,-15} {l.Text}")));
        Assert.InRange(kept.Count, 250, 2000); // a few hundred, all kept (the Overseer keeps up to 2,000 of a round)
        await Assertions.Expect(okRound.Locator(".agent-line")).ToHaveCountAsync(kept.Count, new() { Timeout = Wait });
        await Assertions.Expect(okRound.Locator(".agent-line.kind-planning")).ToHaveCountAsync(AgentApp.Limit);
        await Assertions.Expect(okRound.Locator(".agent-line.kind-kubectl-command")).ToHaveCountAsync(AgentApp.Limit);
        await Assertions.Expect(okRound.Locator(".agent-line.kind-command-done")).ToHaveCountAsync(AgentApp.Limit);
        await Assertions.Expect(okRound.Locator(".agent-line.kind-summary")).ToHaveCountAsync(2 * AgentApp.Limit);
        await Assertions.Expect(okRound.Locator(".agent-line.kind-planning").First).ToHaveTextAsync(new Regex(@"^🔄 Consulting \S+ for a plan\.\.\.$"));
        await Assertions.Expect(okRound.Locator(".agent-line.kind-kubectl-command").First).ToHaveTextAsync(new Regex(@"^🔄 Running: kubectl get kafka kafkademo "));
        await Assertions.Expect(okRound.Locator(".agent-line.kind-kubectl-command").Nth(1)).ToHaveTextAsync(new Regex(@"^🔄 Running: kubectl patch kafka kafkademo "));
        await Assertions.Expect(okRound.Locator(".agent-line.kind-note").Last).ToHaveTextAsync($"Note: Completed {AgentApp.Limit} iterations as requested");
        await Assertions.Expect(okRound.Locator(".agent-line.kind-error")).ToHaveCountAsync(0);
        await Assertions.Expect(okRound.Locator(".agent-line").First).ToHaveCSSAsync("font-family", new Regex("monospace"));

        // The person opens the failed round: its error lines are red, their leading spaces kept as rendered.
        await failedRound.Locator("[data-testid=agent-round-head]").ClickAsync();
        await Assertions.Expect(failedRound).ToHaveJSPropertyAsync("open", true);
        var errorLines = failedRound.Locator(".agent-line.kind-error");
        await Assertions.Expect(errorLines).ToHaveCountAsync(6);
        await Assertions.Expect(errorLines.Nth(0)).ToHaveTextAsync(FailureReason);
        await Assertions.Expect(errorLines.Nth(1)).ToHaveTextAsync(new Regex("^" + Regex.Escape(FailureIndented) + "$"), new() { UseInnerText = true });
        await Assertions.Expect(errorLines.Nth(2)).ToHaveTextAsync(new Regex("^" + Regex.Escape(FailureMoreIndented) + "$"), new() { UseInnerText = true });
        await Assertions.Expect(errorLines.Nth(3)).ToHaveTextAsync($"Error: Error in vibe command: LLM planning error: {FailureFirstLine}");
        await Assertions.Expect(errorLines.Nth(0)).ToHaveCSSAsync("border-left-color", "rgb(244, 67, 54)"); // the theme's --rz-danger
        await Assertions.Expect(failedRound.Locator(".agent-line.kind-planning")).ToHaveCountAsync(1);
        await Assertions.Expect(failedRound.Locator(".agent-line.kind-note")).ToHaveTextAsync(
            ["Note: Starting vibectl auto session", "Note: Recovery suggestions:", $"Note: {FailureFirstLine}", FailureIndented.Trim(), FailureMoreIndented.Trim()]);

        // The brokers' figures after the change: one broker's I/O threads saturated, one whose
        // exporter does not answer. The page marks the one and says why of the other; the cluster's
        // row has the trend since the change, then → now.
        Cluster.BrokerJmx["kafkademo-dual-1"] = new BrokerJmxValues(0.2109, 0.612, 4, 48.5, 2);
        Cluster.SilentBrokers["kafkademo-dual-2"] = true;
        try
        {
            var hot = page.Locator("[data-testid=broker-figures-row][data-pod=kafkademo-dual-1] td");
            await Assertions.Expect(hot.Nth(1)).ToHaveTextAsync("0.21", new() { Timeout = Wait });
            await Assertions.Expect(hot.Nth(1)).ToHaveClassAsync("saturated");
            await Assertions.Expect(hot.Nth(4)).ToHaveTextAsync("48.5 ms");
            var calm = page.Locator("[data-testid=broker-figures-row][data-pod=kafkademo-dual-0] td");
            await Assertions.Expect(calm.Nth(1)).ToHaveTextAsync("0.87");
            await Assertions.Expect(calm.Nth(1)).Not.ToHaveClassAsync("saturated");
            await Assertions.Expect(page.Locator("[data-testid=broker-figures-row][data-pod=kafkademo-dual-2] [data-testid=broker-figures-problem]"))
                .ToHaveTextAsync("no answer: 503 ServiceUnavailable: error trying to reach service: dial tcp 10.42.2.7:9404: connect: connection refused");
            var clusterRow = page.Locator("[data-testid=broker-figures-cluster] td");
            await Assertions.Expect(clusterRow.Nth(0)).ToHaveTextAsync("cluster, then → now");
            await Assertions.Expect(clusterRow.Nth(1)).ToHaveTextAsync("0.87 → 0.21");
            await Assertions.Expect(clusterRow.Nth(1)).ToHaveClassAsync("saturated");
            await Assertions.Expect(clusterRow.Nth(3)).ToHaveTextAsync("0 → 4");
            await Assertions.Expect(clusterRow.Nth(5)).ToHaveTextAsync("0 → 2");
            Directory.CreateDirectory("screenshots");
            await page.Locator("[data-testid=broker-figures]").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine("screenshots", "overseer-k3d-broker-figures.png") });

            await HangingRoundStaysClosedAsync(page, failedRound, okRound, ok + 1, Wait);

            // The agent was told the same before that round, in its memory block.
            Assert.Contains("\nBrokers 2/3 (JMX, then -> now since the last change): handler idle min 0.87 -> 0.21 SATURATED, network idle min 0.93 -> 0.61, "
                + "queue total 0 -> 4, produce p99 max 12.5 -> 48.5 ms, under-replicated 0 -> 2.\n", Cluster.Vibectl.MemoryAtAuto.Last(), StringComparison.Ordinal);
        }
        finally
        {
            Cluster.BrokerJmx.Clear();
            Cluster.SilentBrokers.Clear();
        }

        // For a person's look: the long round open, the failed one under it.
        await okRound.Locator("[data-testid=agent-round-head]").ClickAsync();
        await Assertions.Expect(okRound).ToHaveJSPropertyAsync("open", true);
        await Assertions.Expect(page.Locator("[data-testid=agent-state]")).ToHaveTextAsync("failed");
        Directory.CreateDirectory("screenshots");
        await page.Locator("[data-testid=agent-rounds]").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine("screenshots", "overseer-k3d-agent-rounds.png") });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine("screenshots", "overseer-k3d-agent.png"), FullPage = true });

        // The dark theme: the kinds and the red of errors are the theme's own colours mixed with its text.
        await page.Locator("header.header button").Last.ClickAsync(); // RadzenAppearanceToggle, the moon
        await Assertions.Expect(page.Locator("body")).ToHaveCSSAsync("background-color", "rgb(30, 30, 30)"); // material-dark's --rz-base-800
        await page.Locator("[data-testid=agent-rounds]").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine("screenshots", "overseer-k3d-agent-rounds-dark.png") });
        Assert.Empty(errors);
    }

    /// <summary>
    /// A round that hangs: the person closes it while it runs; it stays closed through every refresh
    /// until it times out, nothing in the finished rounds' DOM changes, and the rounds they chose stay as they were.
    /// </summary>
    private async Task HangingRoundStaysClosedAsync(IPage page, ILocator failedRound, ILocator okRound, int round, float wait)
    {
        Cluster.Vibectl.Hang = true;
        try
        {
            await page.Locator("[data-testid=agent-run]").ClickAsync();
            var hung = RoundSection(page, round);
            await Assertions.Expect(hung.Locator("[data-testid=agent-round-result]")).ToHaveTextAsync("running", new() { Timeout = wait });
            await Assertions.Expect(hung).ToHaveJSPropertyAsync("open", true);
            await Assertions.Expect(hung.Locator(".agent-line.kind-planning")).ToHaveCountAsync(1, new() { Timeout = wait });
            await Assertions.Expect(okRound).ToHaveJSPropertyAsync("open", false);
            await hung.Locator("[data-testid=agent-round-head]").ClickAsync();
            await Assertions.Expect(hung).ToHaveJSPropertyAsync("open", false);

            // While it runs, the page refreshes every second; the finished rounds are not rendered
            // again: nothing in their DOM changes (counted by a MutationObserver on each).
            foreach (var finished in new[] { failedRound, okRound })
            {
                await finished.EvaluateAsync("""
                    section => {
                        section.dataset.mutations = "0";
                        new MutationObserver(records => section.dataset.mutations = String(Number(section.dataset.mutations) + records.length))
                            .observe(section, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["class", "open", "title", "style"] });
                    }
                    """);
            }

            await Assertions.Expect(hung.Locator(".round-meta")).ToHaveTextAsync(new Regex(@"running for ([5-9]|[1-9]\d) s$"), new() { Timeout = wait });
            await Assertions.Expect(failedRound).ToHaveAttributeAsync("data-mutations", "0");
            await Assertions.Expect(okRound).ToHaveAttributeAsync("data-mutations", "0");

            await Assertions.Expect(hung.Locator("[data-testid=agent-round-result]")).ToHaveTextAsync("timed out", new() { Timeout = (float)(AgentApp.RoundTimeoutRealTime.TotalMilliseconds + 60_000) });
            await Assertions.Expect(hung.Locator("[data-testid=agent-round-reason]")).ToContainTextAsync($"vibectl did not finish within {AgentApp.RoundTimeoutSeconds} s");
            await Assertions.Expect(hung).ToHaveJSPropertyAsync("open", false);
            await Assertions.Expect(failedRound).ToHaveJSPropertyAsync("open", true);
            await Assertions.Expect(okRound).ToHaveJSPropertyAsync("open", false);
        }
        finally
        {
            Cluster.Vibectl.Hang = false;
        }
    }

    /// <summary>
    /// A planner for a long <c>vibectl auto</c> session, as a real model may keep one going: the demo
    /// agent's look and change, then a look at the broker config in every iteration up to the limit.
    /// </summary>
    private static ModelAnswer LongSession(PlanningCall call) => call.Steps.Count < 2
        ? DemoAgent.Plan(call)
        : ModelAnswer.Plan(PlannerAction.Command(DemoAgent.LookCommand, "Watch the broker config while the change settles."));

    /// <summary>Runs a round through the API and waits for it to end; its number.</summary>
    private async Task<int> RunRoundAsync()
    {
        var rounds = (await SummaryAsync()).Agent.Rounds;
        using var run = await fixture.Overseer.PostAsync("/api/agent/run", null, Token);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        await Eventually.TrueAsync(async () => (await SummaryAsync()).Agent is { } agent && agent.Rounds > rounds && agent.LastRun is { Result: not null },
            Deadline, "The agent round did not end.");
        return (await SummaryAsync()).Agent.LastRun!.Round;
    }

    [Fact]
    public async Task Pause_and_resume_are_reported_and_a_preset_resets_the_broker_config_through_the_Kafka_resource()
    {
        SharedReference.RequireK8sReference();
        var paused = await fixture.Overseer.PutAsJsonAsync("/api/agent", new AgentChange(true), Token);
        Assert.Equal("paused", (await paused.Content.ReadFromJsonAsync<AgentSummary>(Token))!.State);
        var resumed = await fixture.Overseer.PutAsJsonAsync("/api/agent", new AgentChange(false), Token);
        Assert.NotEqual("paused", (await resumed.Content.ReadFromJsonAsync<AgentSummary>(Token))!.State);

        var bad = await fixture.Overseer.PutAsJsonAsync("/api/cluster/broker-config", new BrokerConfigReset("turbo"), Token);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var reset = await fixture.Overseer.PutAsJsonAsync("/api/cluster/broker-config", new BrokerConfigReset("kafka-defaults"), Token);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);

        var kafka = Cluster.Api.Get(SimulatedStrimzi.Kafkas, StrimziNames.Namespace, StrimziNames.KafkaName)!;
        Assert.Equal(8, (int)kafka["spec"]!["kafka"]!["config"]!["num.io.threads"]!);
        Assert.Equal(3, (int)kafka["spec"]!["kafka"]!["config"]!["num.network.threads"]!);
        Assert.NotNull(await EventuallyEventAsync("broker-config", "Broker config reset to the 'kafka-defaults' preset"));
        Assert.NotNull(await EventuallyEventAsync("broker-config", "(kafkademo-overseer)"));
        var command = fixture.App.Services.GetRequiredService<Aspire.Hosting.ApplicationModel.DistributedApplicationModel>().Resources
            .Single(r => r.Name == "overseer").Annotations.OfType<Aspire.Hosting.ApplicationModel.ResourceCommandAnnotation>().Select(c => c.Name).ToList();
        Assert.Contains("reset-broker-config", command);
        Assert.Contains("agent-run", command);
    }

    [Fact]
    public async Task Without_the_control_token_the_agents_changes_are_refused()
    {
        SharedReference.RequireK8sReference();
        using var anonymous = fixture.App.CreateHttpClient("overseer");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/agent/run", null, Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsJsonAsync("/api/cluster/broker-config", new BrokerConfigReset("modest"), Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/agent", Token)).StatusCode);
    }

    private async Task<OverseerSummary> SummaryAsync() =>
        (await fixture.Overseer.GetFromJsonAsync<OverseerSummary>("/api/summary", Token))!;

    private sealed record TimelineEventSeen(string Kind, string Message);

    private async Task<TimelineEventSeen?> EventAsync(string kind, string contains) =>
        (await EventsAsync(kind, contains)).LastOrDefault();

    private async Task<int> EventCountAsync(string kind, string contains) =>
        (await EventsAsync(kind, contains)).Count;

    private async Task<List<TimelineEventSeen>> EventsAsync(string kind, string contains)
    {
        var export = await fixture.Overseer.GetFromJsonAsync<JsonObject>("/api/run", Token);
        return [.. export!["events"]!.AsArray()
            .Where(e => (string?)e!["kind"] == kind && ((string?)e["message"])!.Contains(contains, StringComparison.Ordinal))
            .Select(e => new TimelineEventSeen((string)e!["kind"]!, (string)e["message"]!))];
    }

    private async Task<TimelineEventSeen?> EventuallyEventAsync(string kind, string contains)
    {
        TimelineEventSeen? seen = null;
        await Eventually.TrueAsync(async () => (seen = await EventAsync(kind, contains)) is not null, Deadline, $"No {kind} event with '{contains}'.");
        return seen;
    }
}
