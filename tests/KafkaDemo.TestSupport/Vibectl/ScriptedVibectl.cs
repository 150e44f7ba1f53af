using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.Vibectl;

/// <summary>
/// Stands in for vibectl 0.11.6 in the agent pod, behind the fake API server's exec: it keeps memory
/// with vibectl's semantics (<c>memory show</c> prints a Rich panel or the empty warning,
/// <c>memory set</c> replaces it and cuts it at <c>memory.max_chars</c>, default 500), takes
/// <c>config set</c> and <c>instructions set</c>, runs under coreutils <c>timeout</c> and <c>env</c>
/// as the real pod would, and on <c>auto --limit N</c> plays a round: plan and command lines, a merge
/// patch of the Kafka resource (field manager kubectl-patch, as kubectl's), and a note appended to
/// memory, as vibectl's memory update does.
/// </summary>
public sealed class ScriptedVibectl
{
    /// <summary>The model names vibectl's llm knows in this stand-in; others fail as <c>config set llm.model</c> does.</summary>
    private static readonly string[] KnownModels = ["claude-3.7-sonnet", "claude-4-sonnet", "claude-sonnet-4.5", "gpt-4o", "local-model"];

    private readonly FakeKubernetesApi _api;
    private int _concurrent;

    public ScriptedVibectl(FakeKubernetesApi api)
    {
        _api = api ?? throw new ArgumentNullException(nameof(api));
        api.OnExec(HandleAsync);
    }

    public string Memory { get; private set; } = "";

    public int MaxChars { get; private set; } = 500;

    public string? Instructions { get; private set; }

    public ConcurrentDictionary<string, string> Config { get; } = new(StringComparer.Ordinal);

    /// <summary>Every command line run, as the argument array it came in.</summary>
    public ConcurrentQueue<IReadOnlyList<string>> Commands { get; } = new();

    /// <summary>Memory as it was at each <c>auto</c>, so a test can see what the agent was told.</summary>
    public ConcurrentQueue<string> MemoryAtAuto { get; } = new();

    /// <summary>When set, <c>auto</c> hangs until stopped (by the in-pod timeout or the client leaving).</summary>
    public bool Hang { get; set; }

    /// <summary>When set, <c>auto</c> prints this on stderr and exits 1.</summary>
    public string? Fail { get; set; }

    /// <summary>Rounds of <c>auto</c> run and completed.</summary>
    public int AutoRuns { get; private set; }

    /// <summary>The most <c>auto</c> runs seen at once.</summary>
    public int MaxConcurrent { get; private set; }

    private async Task<int> HandleAsync(ExecContext exec)
    {
        Commands.Enqueue(exec.Command);
        return await RunAsync([.. exec.Command], exec, exec.CancellationToken);
    }

    private async Task<int> RunAsync(List<string> args, ExecContext exec, CancellationToken cancellationToken)
    {
        switch (args)
        {
            case ["env", .. var rest]:
                return await RunAsync([.. rest.SkipWhile(a => a.Contains('=', StringComparison.Ordinal))], exec, cancellationToken);
            case ["timeout", .. var rest]:
                var options = rest.TakeWhile(a => a.StartsWith('-')).Count();
                var seconds = int.Parse(rest[options], CultureInfo.InvariantCulture);
                using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    limit.CancelAfter(TimeSpan.FromSeconds(seconds));
                    try
                    {
                        return await RunAsync([.. rest.Skip(options + 1)], exec, limit.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        return 124; // what coreutils timeout exits with when it stopped the command
                    }
                }

            case ["vibectl", "memory", "show"]:
                await exec.Stdout.WriteAsync(Memory.Length == 0 ? "Memory is empty. Use 'vibectl memory set' to add content.\n" : Panel(Memory));
                return 0;
            case ["vibectl", "memory", "set", .. var words]:
                Memory = Cut(string.Join(' ', words.SkipWhile(w => w == "--")));
                await exec.Stdout.WriteLineAsync("Memory updated");
                return 0;
            case ["vibectl", "config", "set", var key, var value]:
                if (key == "llm.model" && !KnownModels.Contains(value))
                {
                    await exec.Stderr.WriteLineAsync($"Error: Model name '{value}' is not recognized by the underlying 'llm' library.");
                    return 1;
                }

                Config[key] = value;
                if (key == "memory.max_chars")
                {
                    MaxChars = int.Parse(value, CultureInfo.InvariantCulture);
                }

                await exec.Stdout.WriteLineAsync($"✓ Configuration {key} set to {value}");
                return 0;
            case ["vibectl", "instructions", "set", .. var text]:
                Instructions = string.Join(' ', text);
                await exec.Stdout.WriteLineAsync("Custom instructions set successfully.");
                return 0;
            case ["vibectl", "auto", "--limit", var limit]:
                return await AutoAsync(int.Parse(limit, CultureInfo.InvariantCulture), exec, cancellationToken);
            default:
                await exec.Stderr.WriteLineAsync($"stand-in vibectl: unexpected command {string.Join(' ', args)}");
                return 2;
        }
    }

    private async Task<int> AutoAsync(int limit, ExecContext exec, CancellationToken cancellationToken)
    {
        MemoryAtAuto.Enqueue(Memory);
        var now = Interlocked.Increment(ref _concurrent);
        MaxConcurrent = Math.Max(MaxConcurrent, now);
        try
        {
            await exec.Stdout.WriteLineAsync($"🔄 Starting auto loop with {limit} iterations");
            await exec.Stdout.WriteLineAsync("Planning: request handler threads look saturated; raising num.io.threads");
            if (Hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            if (Fail is { } failure)
            {
                await exec.Stderr.WriteLineAsync(failure);
                return 1;
            }

            // Like the real agent, it reads the live value first (kubectl get), then doubles it, or
            // halves it at the top of its range, so every round makes one change.
            var current = CurrentIoThreads();
            var next = current >= 16 ? current / 2 : current * 2;
            await exec.Stdout.WriteLineAsync(
                $"Running: kubectl patch kafka kafkademo -n kafka --type merge -p '{{\"spec\":{{\"kafka\":{{\"config\":{{\"num.io.threads\":{next}}}}}}}}}'");
            PatchKafka(next);
            await exec.Stdout.WriteLineAsync($"kafka.kafka.strimzi.io/kafkademo patched");
            await exec.Stdout.WriteLineAsync($"✨ Vibe check: num.io.threads {current}→{next}; waiting for the Overseer's next measurements");
            Memory = Cut($"{Memory}\nRound {AutoRuns + 1}: set num.io.threads {current}→{next} because handler idle was low.");
            for (var i = 2; i <= limit; i++)
            {
                await exec.Stdout.WriteLineAsync($"Iteration {i}/{limit}: no further change this round");
            }

            await exec.Stdout.WriteLineAsync($"Auto session completed after {limit} iterations");
            AutoRuns++;
            return 0;
        }
        finally
        {
            Interlocked.Decrement(ref _concurrent);
        }
    }

    private static readonly ResourceType Kafkas = new("kafka.strimzi.io", "v1", "kafkas");

    private int CurrentIoThreads()
    {
        var kafka = _api.Get(Kafkas, "kafka", "kafkademo") ?? throw new InvalidOperationException("No Kafka kafkademo to read.");
        var value = kafka["spec"]?["kafka"]?["config"]?["num.io.threads"];
        return value is null ? 8 : int.Parse(value.ToString(), CultureInfo.InvariantCulture); // 8: Kafka's default
    }

    private void PatchKafka(int threads)
    {
        var kafka = _api.Get(Kafkas, "kafka", "kafkademo") ?? throw new InvalidOperationException("No Kafka kafkademo to patch.");
        kafka["spec"]!["kafka"]!["config"]!["num.io.threads"] = threads;
        kafka["metadata"]!.AsObject().Remove("managedFields");
        _api.Put(kafka, "kubectl-patch");
    }

    private string Cut(string text) => text.Length <= MaxChars ? text : text[..MaxChars];

    /// <summary>What Rich prints for <c>Panel(memory, title="Memory Content", expand=False)</c>.</summary>
    private static string Panel(string memory)
    {
        var lines = memory.Split('\n');
        var width = Math.Max(lines.Max(l => l.Length), 16) + 2;
        const string Title = " Memory Content ";
        var left = (width - Title.Length) / 2;
        var top = "╭" + new string('─', left) + Title + new string('─', width - left - Title.Length) + "╮";
        var body = lines.Select(l => "│ " + l.PadRight(width - 2) + " │");
        return string.Join('\n', [top, .. body, "╰" + new string('─', width) + "╯"]) + "\n";
    }
}
