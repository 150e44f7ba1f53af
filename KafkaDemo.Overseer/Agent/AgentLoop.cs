using System.Globalization;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using KafkaDemo.Overseer.Cluster;
using KafkaDemo.Overseer.Timeline;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Agent;

/// <summary>
/// Runs the agent's rounds: every <see cref="AgentOptions.IntervalSeconds"/>, or when a person asks,
/// never two at once. Each round writes the Overseer's feedback into vibectl's memory (keeping the
/// agent's own notes), then runs <c>vibectl auto --limit 5</c> in the agent pod with a timeout and
/// no stdin, streaming its output line by line to the page and to the logs.
/// </summary>
public sealed partial class AgentLoop(
    IAgentChannel channel,
    AgentActivity activity,
    AgentFeedback feedback,
    ClusterConnection cluster,
    RunTimeline timeline,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<AgentLoop> logger) : BackgroundService
{
    /// <summary>The exit code of coreutils timeout when it stopped the command (137: killed after the grace period).</summary>
    private static readonly int[] TimeoutExitCodes = [124, 137];

    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How often, between rounds, the Overseer checks that the agent is deployed and has its key.</summary>
    public static readonly TimeSpan ReadinessInterval = TimeSpan.FromSeconds(10);

    /// <summary>What ends a wait between rounds.</summary>
    private enum Turn
    {
        /// <summary>Not due yet: time to check readiness again.</summary>
        Check,

        /// <summary>Due, but paused: the round is skipped.</summary>
        Skipped,

        Schedule,

        Manual,
    }

    private readonly AgentOptions _options = options.Value;
    private readonly Channel<string> _triggers = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _round = new(1, 1);
    private string? _configuredPod;

    /// <summary>Asks for a round now. False when one is running (rounds never overlap) or one is already asked for.</summary>
    public bool RunNow() => activity.Running is null && activity.State != AgentState.None && _triggers.Writer.TryWrite("manual");

    public void SetPaused(bool paused)
    {
        if (paused == activity.Paused)
        {
            return;
        }

        activity.SetPaused(paused);
        timeline.AddEvent(new TimelineEvent(time.GetUtcNow(), EventKinds.Agent, paused ? "Agent paused" : "Agent resumed"));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled || cluster.Client is null)
        {
            activity.SetState(AgentState.None, "No agent runs in this mode.");
            return;
        }

        activity.SetState(AgentState.Idle, "Waiting for the first round.");
        var next = time.GetUtcNow() + TimeSpan.FromSeconds(_options.FirstRoundAfterSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            await CheckReadinessAsync(stoppingToken);
            activity.SetNextRun(activity.Paused ? null : next);
            var turn = await WaitForTurnAsync(next, stoppingToken);
            if (turn == Turn.Check)
            {
                continue;
            }

            if (turn != Turn.Skipped)
            {
                await RunRoundAsync(turn == Turn.Manual ? "manual" : "schedule", stoppingToken);
            }

            next = time.GetUtcNow() + TimeSpan.FromSeconds(_options.IntervalSeconds);
        }
    }

    /// <summary>Waits until a round is asked for, the next one is due, or it is time to check readiness again.</summary>
    private async Task<Turn> WaitForTurnAsync(DateTimeOffset next, CancellationToken cancellationToken)
    {
        var untilDue = next - time.GetUtcNow();
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var wait = untilDue < ReadinessInterval ? untilDue : ReadinessInterval;
        var tick = wait > TimeSpan.Zero ? Task.Delay(wait, time, timer.Token) : Task.CompletedTask;
        var asked = _triggers.Reader.WaitToReadAsync(timer.Token).AsTask();
        var first = await Task.WhenAny(tick, asked);
        await timer.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        if (first == asked && _triggers.Reader.TryRead(out _))
        {
            return Turn.Manual;
        }

        return time.GetUtcNow() < next ? Turn.Check
            : activity.Paused ? Turn.Skipped
            : Turn.Schedule;
    }

    /// <summary>
    /// Between rounds: says at once when the agent is not deployed or has no key (and when it has
    /// again), and sets every new agent pod's vibectl up as soon as it runs (the first, or one that
    /// replaced it), so its memory bound and goal are in place before its first round.
    /// </summary>
    private async Task CheckReadinessAsync(CancellationToken cancellationToken)
    {
        if (activity.Running is not null)
        {
            return;
        }

        if (await MissingKeyAsync(cancellationToken) is { } why)
        {
            activity.SetState(AgentState.NotConfigured, why);
            return;
        }

        if (activity.State == AgentState.NotConfigured)
        {
            activity.SetState(AgentState.Idle, "Ready for the next round.");
        }

        try
        {
            var pod = await channel.FindPodAsync(cancellationToken);
            if (pod.Uid == _configuredPod || !await _round.WaitAsync(TimeSpan.Zero, cancellationToken))
            {
                return;
            }
        }
        catch (AgentUnavailableException ex)
        {
            LogNotReady(logger, ex.Message);
            return;
        }

        try
        {
            await ConfigureAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is AgentUnavailableException or AgentSetupException or TimeoutException)
        {
            LogNotReady(logger, ex.Message); // the pod may still be starting; the next check or round tries again
        }
        finally
        {
            _round.Release();
        }
    }

    /// <summary>One round, start to end; public so tests can drive it.</summary>
    public async Task RunRoundAsync(string trigger, CancellationToken cancellationToken)
    {
        if (!await _round.WaitAsync(TimeSpan.Zero, cancellationToken))
        {
            return; // a round is running: never two at once
        }

        try
        {
            if (await MissingKeyAsync(cancellationToken) is { } why)
            {
                activity.SetState(AgentState.NotConfigured, why);
                return;
            }

            var round = activity.Begin(trigger, feedback.Measure());
            timeline.AddEvent(new TimelineEvent(round.StartedAt, EventKinds.Agent, $"Agent round {round.Number} started ({trigger})"));
            LogRoundStarted(logger, round.Number, trigger);
            int? exit = null;
            string? error = null;
            var timedOut = false;
            try
            {
                await PrepareAsync(round.Number, cancellationToken);
                var result = await RunAsync(round.Number,
                    ["timeout", "--kill-after=10", _options.RoundTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
                     "vibectl", "auto", "--limit", _options.Limit.ToString(CultureInfo.InvariantCulture)],
                    TimeSpan.FromSeconds(_options.RoundTimeoutSeconds + 30), cancellationToken);
                exit = result.ExitCode;
                timedOut = TimeoutExitCodes.Contains(result.ExitCode);
            }
            catch (TimeoutException ex)
            {
                timedOut = true;
                error = ex.Message;
            }
            catch (Exception ex) when (ex is AgentUnavailableException or AgentSetupException)
            {
                error = ex.Message;
            }

            var end = time.GetUtcNow();
            activity.End(round.Number, end, exit, timedOut, error);
            var outcome = timedOut ? "timed out" : error is not null ? $"failed: {error}" : $"ended, exit code {exit}";
            timeline.AddEvent(new TimelineEvent(end, EventKinds.Agent, $"Agent round {round.Number} {outcome}",
                new Dictionary<string, object?> { ["round"] = round.Number, ["exitCode"] = exit, ["timedOut"] = timedOut, ["durationMs"] = (long)(end - round.StartedAt).TotalMilliseconds }));
            LogRoundEnded(logger, round.Number, outcome);
        }
        finally
        {
            _round.Release();
        }
    }

    /// <summary>Why the agent cannot run (no LLM key in its pod), or null when it can.</summary>
    private async Task<string?> MissingKeyAsync(CancellationToken cancellationToken)
    {
        try
        {
            var deployment = await cluster.Client!.AppsV1.ReadNamespacedDeploymentAsync(_options.DeploymentName, _options.Namespace, cancellationToken: cancellationToken);
            return deployment.Spec.Template.Metadata?.Annotations?.ContainsKey(_options.KeyAnnotation) == true
                ? null
                : "The agent has no LLM key. Set the parameter llm-api-key in the Aspire dashboard (Parameters), or before starting: "
                  + "dotnet user-secrets set Parameters:llm-api-key <key> --project KafkaDemo.AppHost.";
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return $"The agent is not deployed yet (no Deployment {_options.Namespace}/{_options.DeploymentName}).";
        }
        catch (HttpOperationException ex)
        {
            return $"The cluster refused to show the agent's Deployment ({(int)ex.Response.StatusCode}): {ex.Message}";
        }
        catch (HttpRequestException ex)
        {
            return $"The cluster does not answer: {ex.Message}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "The cluster did not answer in time.";
        }
    }

    /// <summary>vibectl's settings and goal (once per pod), then the Overseer's block in its memory.</summary>
    private async Task PrepareAsync(int round, CancellationToken cancellationToken)
    {
        await ConfigureAsync(cancellationToken);

        // Wide, so Rich does not wrap the memory it prints in a panel.
        var shown = await RunQuietAsync(["env", "COLUMNS=10000", "vibectl", "memory", "show"], cancellationToken);
        var before = AgentMemory.FromShowOutput(shown.Output);
        var after = AgentMemory.Merge(before, feedback.Block(activity.Changes), _options.MemoryMaxChars);
        await RunQuietAsync(["vibectl", "memory", "set", "--", after], cancellationToken);
        activity.SetMemory(before, after);
        activity.AddLine(round, new AgentOutputLine(time.GetUtcNow(), $"[overseer] memory updated: {after.Length} of {_options.MemoryMaxChars} characters, the agent's notes kept", false));
        LogMemory(logger, round, before, after);
    }

    /// <summary>Sets vibectl up (memory bound, model, display, goal) unless this pod already is.</summary>
    private async Task ConfigureAsync(CancellationToken cancellationToken)
    {
        var probe = await RunQuietAsync(["vibectl", "memory", "show"], cancellationToken);
        if (_configuredPod != probe.Pod.Uid)
        {
            foreach (var command in new[]
            {
                new[] { "vibectl", "config", "set", "memory.max_chars", _options.MemoryMaxChars.ToString(CultureInfo.InvariantCulture) },
                ["vibectl", "config", "set", "llm.model", _options.Model],
                ["vibectl", "config", "set", "display.show_streaming", "false"],
                ["vibectl", "config", "set", "display.show_kubectl", "true"],
                ["vibectl", "instructions", "set", AgentInstructions.Text],
            })
            {
                await RunQuietAsync(command, cancellationToken);
            }

            _configuredPod = probe.Pod.Uid;
            LogConfigured(logger, probe.Pod.Name, _options.Model);
        }
    }

    private async Task<AgentCommandResult> RunQuietAsync(string[] command, CancellationToken cancellationToken)
    {
        var result = await channel.RunAsync(command, null, SetupTimeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new AgentSetupException($"'{string.Join(' ', command.Take(4))}' exited with {result.ExitCode}: {FirstLine(result.Error, result.Output)}");
        }

        return result;
    }

    private async Task<AgentCommandResult> RunAsync(int round, string[] command, TimeSpan timeout, CancellationToken cancellationToken) =>
        await channel.RunAsync(command, line =>
        {
            activity.AddLine(round, line);
            LogLine(logger, round, line.IsError ? "stderr" : "stdout", line.Text);
        }, timeout, cancellationToken);

    private static string FirstLine(params string[] texts) =>
        texts.SelectMany(t => t.Split('\n')).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "no output";

    public override void Dispose()
    {
        _round.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The agent pod is not ready to be set up yet: {Why}")]
    private static partial void LogNotReady(ILogger logger, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent round {Round} started ({Trigger})")]
    private static partial void LogRoundStarted(ILogger logger, int round, string trigger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent round {Round} {Outcome}")]
    private static partial void LogRoundEnded(ILogger logger, int round, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent round {Round} {Stream}: {Line}")]
    private static partial void LogLine(ILogger logger, int round, string stream, string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "vibectl in pod {Pod} configured: model {Model}, memory.max_chars, the goal (k3d/agent/instructions.md)")]
    private static partial void LogConfigured(ILogger logger, string pod, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent round {Round}: memory before:\n{Before}\nmemory after:\n{After}")]
    private static partial void LogMemory(ILogger logger, int round, string before, string after);
}

/// <summary>Setting vibectl up for a round failed (a command exited non-zero).</summary>
public sealed class AgentSetupException : Exception
{
    public AgentSetupException()
    {
    }

    public AgentSetupException(string message)
        : base(message)
    {
    }

    public AgentSetupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
