using System.Globalization;
using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using KafkaDemo.Overseer.KubernetesApi;
using KafkaDemo.Overseer.Timeline;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Agent;

/// <summary>
/// Runs the agent's rounds: every <see cref="AgentOptions.IntervalSeconds"/>, or when a person asks,
/// never two at once. A round looks the agent's pod up once and runs wholly there: it writes the
/// Overseer's feedback into vibectl's memory (keeping the agent's notes) and reads it back, then
/// runs <c>vibectl auto --limit 5</c> with a timeout and no stdin, streaming its output line by line
/// to the page and the logs, and judges it from what vibectl printed. Nothing the cluster does
/// stops the loop: every failure is logged, recorded and retried.
/// </summary>
public sealed partial class AgentLoop(
    IAgentChannel channel,
    VibectlSetup setup,
    AgentActivity activity,
    AgentFeedback feedback,
    ClusterConnection cluster,
    RunTimeline timeline,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<AgentLoop> logger) : BackgroundService
{
    /// <summary>How often, between rounds, the Overseer checks that the agent is deployed, has its key and is set up.</summary>
    public static readonly TimeSpan ReadinessInterval = TimeSpan.FromSeconds(10);

    /// <summary>After an unexpected failure of the loop itself, how long it waits before going on: from 1 s, doubling, at most a minute.</summary>
    private static readonly Backoff LoopBackoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

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

    /// <summary>The pod whose set-up failed in a way retrying will not fix (vibectl refused a setting); set up again by the next round.</summary>
    private string? _refusedPod;

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
        if (!_options.Enabled || !cluster.Options.Enabled)
        {
            activity.SetState(AgentState.None, "No agent runs in this mode.");
            return;
        }

        activity.SetState(AgentState.Idle, "Waiting for the first round.");
        var next = time.GetUtcNow() + TimeSpan.FromSeconds(_options.FirstRoundAfterSeconds);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckReadinessAsync(stoppingToken);
                activity.SetNextRun(activity.Paused ? null : next);
                var turn = await WaitForTurnAsync(next, stoppingToken);
                if (turn == Turn.Check)
                {
                    failures = 0;
                    continue;
                }

                if (turn != Turn.Skipped)
                {
                    await RunRoundAsync(turn == Turn.Manual ? "manual" : "schedule", stoppingToken);
                }

                next = time.GetUtcNow() + TimeSpan.FromSeconds(_options.IntervalSeconds);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Nothing escapes: an exception out of a BackgroundService stops the whole Overseer.
                var wait = LoopBackoff.Delay(++failures);
                LogLoopFailed(logger, wait.TotalSeconds, ex);
                await Task.Delay(wait, time, stoppingToken);
            }
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
    /// replaced it), so its model is checked and its memory bound and goal are in place before its
    /// first round. A set-up vibectl refuses is shown as failed, with what it said.
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

        AgentPod pod;
        try
        {
            pod = await channel.FindPodAsync(cancellationToken);
        }
        catch (AgentUnavailableException ex)
        {
            LogNotReady(logger, ex.Message);
            return;
        }

        if (pod.Uid == _configuredPod || pod.Uid == _refusedPod || !await _round.WaitAsync(TimeSpan.Zero, cancellationToken))
        {
            return;
        }

        try
        {
            await ConfigureAsync(pod, cancellationToken);
        }
        catch (AgentSetupException ex)
        {
            _refusedPod = pod.Uid;
            activity.SetState(AgentState.Failed, $"vibectl could not be set up in pod {pod.Name}: {ex.Message}");
            LogSetupRefused(logger, pod.Name, ex.Message);
        }
        catch (Exception ex) when (ex is AgentUnavailableException or AgentBusyException or TimeoutException)
        {
            LogNotReady(logger, ex.Message); // the pod may still be starting; the next check or round tries again
        }
        finally
        {
            _round.Release();
        }
    }

    /// <summary>One round, start to end, always recorded; public so tests can drive it.</summary>
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
            var outcome = AgentRoundOutcome.Failed("The round was interrupted: the Overseer is stopping.");
            int? exit = null;
            try
            {
                (outcome, exit) = await PlayAsync(round.Number, cancellationToken);
            }
            catch (TimeoutException ex)
            {
                outcome = AgentRoundOutcome.TimedOut(ex.Message);
            }
            catch (Exception ex) when (ex is AgentUnavailableException or AgentSetupException or AgentBusyException)
            {
                outcome = AgentRoundOutcome.Failed(ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                outcome = AgentRoundOutcome.Failed($"The round failed unexpectedly: {ex.Message}");
                LogRoundCrashed(logger, round.Number, ex);
            }
            finally
            {
                Record(round, outcome, exit);
            }
        }
        finally
        {
            _round.Release();
        }
    }

    /// <summary>The round itself: one pod, set up if new, the memory written and checked, then auto, judged.</summary>
    private async Task<(AgentRoundOutcome Outcome, int? Exit)> PlayAsync(int round, CancellationToken cancellationToken)
    {
        var pod = await channel.FindPodAsync(cancellationToken);
        activity.SetPod(round, pod.Name);
        if (pod.Uid != _configuredPod)
        {
            await ConfigureAsync(pod, cancellationToken);
        }

        await WriteFeedbackAsync(round, pod, cancellationToken);
        var transcript = new VibectlTranscript();
        var result = await channel.RunAsync(pod, AgentCommands.Auto(_options.Limit, _options.RoundTimeoutSeconds), line =>
        {
            var kind = transcript.Add(line.Stream, line.Text);
            activity.AddLine(round, line with { Kind = kind });
            LogLine(logger, round, AgentOutputLine.Name(line.Stream), line.Text);
            if (kind == AgentLineKind.Error && AgentRefusal.Read(line.Text) is { } refusal)
            {
                RecordRefusal(round, line.At, refusal);
            }
        }, TimeSpan.FromSeconds(_options.RoundTimeoutSeconds + AgentCommands.KillAfterSeconds + 20), cancellationToken);
        if (result.ExitCode == AgentCommands.LockBusyExitCode)
        {
            throw new AgentBusyException(pod);
        }

        var timedOut = AgentCommands.TimeoutExitCodes.Contains(result.ExitCode);
        return (transcript.Judge(result.ExitCode, timedOut, _options.RoundTimeoutSeconds), result.ExitCode);
    }

    private async Task ConfigureAsync(AgentPod pod, CancellationToken cancellationToken)
    {
        await setup.ConfigureAsync(pod, cancellationToken);
        _configuredPod = pod.Uid;
        _refusedPod = null;
        if (activity.State == AgentState.Failed && activity.Running is null)
        {
            activity.SetState(AgentState.Idle, $"vibectl is set up in pod {pod.Name}.");
        }
    }

    /// <summary>The Overseer's block in vibectl's memory, the agent's notes kept, read back exactly.</summary>
    private async Task WriteFeedbackAsync(int round, AgentPod pod, CancellationToken cancellationToken)
    {
        var before = (await setup.ReadConfigAsync(pod, cancellationToken)).Memory;
        var merge = AgentMemory.Merge(before, feedback.Block(activity.Changes), _options.MemoryMaxChars, AgentFeedback.IsOwnLine);
        await setup.WriteMemoryAsync(pod, merge.Text, cancellationToken);
        activity.SetMemory(before, merge.Text);
        var notes = merge.NotesCut > 0
            ? string.Create(CultureInfo.InvariantCulture, $"the agent's notes kept, but {merge.NotesCut} of their {merge.NotesChars} characters (the oldest) left out to fit")
            : "the agent's notes kept";
        activity.AddLine(round, new AgentOutputLine(time.GetUtcNow(),
            string.Create(CultureInfo.InvariantCulture, $"[overseer] memory written and read back: {merge.Text.Length} of {_options.MemoryMaxChars} characters, {notes}"),
            AgentOutputSource.Overseer));
        LogMemory(logger, round, before, merge.Text);
    }

    /// <summary>A change the cluster refused the agent (its admission policy, or RBAC) is an event of its own, with the reason the agent was given.</summary>
    private void RecordRefusal(int round, DateTimeOffset at, AgentRefusal refusal)
    {
        timeline.AddEvent(new TimelineEvent(at, EventKinds.Agent, $"Agent change refused: {refusal.Message}",
            new Dictionary<string, object?>
            {
                ["round"] = round,
                ["refusedBy"] = refusal.Policy is { } policy ? $"ValidatingAdmissionPolicy {policy}" : "RBAC",
            }));
        LogRefused(logger, round, refusal.Message);
    }

    private void Record(AgentRound round, AgentRoundOutcome outcome, int? exit)
    {
        var end = time.GetUtcNow();
        activity.End(round.Number, end, outcome, exit);
        var text = outcome.Result switch
        {
            AgentRoundResult.Ok => "ended ok",
            AgentRoundResult.TimedOut => "timed out",
            _ => $"failed: {outcome.Reason}",
        };
        timeline.AddEvent(new TimelineEvent(end, EventKinds.Agent, $"Agent round {round.Number} {text}",
            new Dictionary<string, object?>
            {
                ["round"] = round.Number,
                ["result"] = AgentRoundOutcome.Name(outcome.Result),
                ["reason"] = outcome.Reason,
                ["exitCode"] = exit,
                ["timedOut"] = outcome.Result == AgentRoundResult.TimedOut,
                ["durationMs"] = (long)(end - round.StartedAt).TotalMilliseconds,
            }));
        LogRoundEnded(logger, round.Number, text);
    }

    /// <summary>Why the agent cannot run (no LLM key in its pod, not deployed, no cluster), or null when it can.</summary>
    private async Task<string?> MissingKeyAsync(CancellationToken cancellationToken)
    {
        try
        {
            var client = cluster.Client ?? throw new InvalidOperationException("No cluster is configured (Overseer:Cluster:Kubeconfig or Overseer:Cluster:InCluster).");
            var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(_options.DeploymentName, _options.Namespace, cancellationToken: cancellationToken);
            return deployment.Spec.Template.Metadata?.Annotations?.ContainsKey(_options.KeyAnnotation) == true
                ? null
                : "The agent has no LLM configured. Set the parameter llm-api-key in the Aspire dashboard (Parameters), or before starting: "
                  + "dotnet user-secrets set Parameters:llm-api-key <key> --project KafkaDemo.AppHost. "
                  + "For an OpenAI-compatible server that needs no key, set llm-base-url (reachable from the pod, e.g. http://host.k3d.internal:8000/v1) and llm-model instead.";
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return $"The agent is not deployed yet (no Deployment {_options.Namespace}/{_options.DeploymentName}).";
        }
        catch (HttpOperationException ex)
        {
            return $"The cluster refused to show the agent's Deployment ({(int)ex.Response.StatusCode}): {ex.Message}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "The cluster did not answer in time."; // the client's request timeout
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return $"The cluster does not answer: {ex.Message}"; // refused, dropped, garbled (JSON), or the kubeconfig is being replaced
        }
    }

    public override void Dispose()
    {
        _round.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The agent pod is not ready to be set up yet: {Why}")]
    private static partial void LogNotReady(ILogger logger, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "vibectl could not be set up in pod {Pod}: {Why}")]
    private static partial void LogSetupRefused(ILogger logger, string pod, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The agent loop failed; going on in {Seconds} s")]
    private static partial void LogLoopFailed(ILogger logger, double seconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Agent round {Round} failed unexpectedly")]
    private static partial void LogRoundCrashed(ILogger logger, int round, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent round {Round} started ({Trigger})")]
    private static partial void LogRoundStarted(ILogger logger, int round, string trigger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent round {Round} {Outcome}")]
    private static partial void LogRoundEnded(ILogger logger, int round, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent round {Round}: the cluster refused the agent's change: {Reason}")]
    private static partial void LogRefused(ILogger logger, int round, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent round {Round} {Stream}: {Line}")]
    private static partial void LogLine(ILogger logger, int round, string stream, string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent round {Round}: memory before:\n{Before}\nmemory after:\n{After}")]
    private static partial void LogMemory(ILogger logger, int round, string before, string after);
}
