using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.Vibectl;

/// <summary>
/// Stands in for vibectl 0.11.6 (and llm 0.26 with llm-anthropic 0.25.1) in the agent pod, behind
/// the fake API server's exec. It keeps vibectl's settings and memory in a store that <c>cat</c> of
/// vibectl's config file prints as YAML, as vibectl writes it; takes <c>config set</c>,
/// <c>instructions set</c> and <c>memory set</c> with vibectl's texts and exit codes; runs under
/// coreutils <c>timeout</c>, <c>env</c> and util-linux <c>flock</c> as the real pod would; lists
/// llm's models; and on <c>auto --limit N</c> prints the lines vibectl 0.11.6 prints, with one merge
/// patch of the Kafka resource (field manager kubectl-patch, as kubectl's) and the memory rewritten,
/// as vibectl's memory update does. Facts: /work/notes/vibectl-0.11.6.md and llm-0.26.md.
/// </summary>
public sealed class ScriptedVibectl
{
    /// <summary>
    /// Where vibectl keeps its config in the agent image: <c>VIBECTL_CONFIG_DIR</c> from
    /// k3d/agent/Dockerfile plus <c>client/config.yaml</c> (vibectl 0.11.6 config_utils.py get_config_dir).
    /// </summary>
    public const string ConfigFile = "/home/vibectl/.config/vibectl/client/config.yaml";

    /// <summary>vibectl 0.11.6 config.py DEFAULT_CONFIG llm.model.</summary>
    private const string DefaultModel = "claude-3.7-sonnet";

    /// <summary>
    /// What <c>llm models list</c> prints with llm 0.26 and llm-anthropic 0.25.1 and no user files
    /// (llm-0.26.md §9): the 29 OpenAI lines, then the 20 Anthropic ones. Extra OpenAI-compatible
    /// models go between the two blocks.
    /// </summary>
    private static readonly string[] OpenAiModels =
    [
        "OpenAI Chat: gpt-4o (aliases: 4o)",
        "OpenAI Chat: chatgpt-4o-latest (aliases: chatgpt-4o)",
        "OpenAI Chat: gpt-4o-mini (aliases: 4o-mini)",
        "OpenAI Chat: gpt-4o-audio-preview",
        "OpenAI Chat: gpt-4o-audio-preview-2024-12-17",
        "OpenAI Chat: gpt-4o-audio-preview-2024-10-01",
        "OpenAI Chat: gpt-4o-mini-audio-preview",
        "OpenAI Chat: gpt-4o-mini-audio-preview-2024-12-17",
        "OpenAI Chat: gpt-4.1 (aliases: 4.1)",
        "OpenAI Chat: gpt-4.1-mini (aliases: 4.1-mini)",
        "OpenAI Chat: gpt-4.1-nano (aliases: 4.1-nano)",
        "OpenAI Chat: gpt-3.5-turbo (aliases: 3.5, chatgpt)",
        "OpenAI Chat: gpt-3.5-turbo-16k (aliases: chatgpt-16k, 3.5-16k)",
        "OpenAI Chat: gpt-4 (aliases: 4, gpt4)",
        "OpenAI Chat: gpt-4-32k (aliases: 4-32k)",
        "OpenAI Chat: gpt-4-1106-preview",
        "OpenAI Chat: gpt-4-0125-preview",
        "OpenAI Chat: gpt-4-turbo-2024-04-09",
        "OpenAI Chat: gpt-4-turbo (aliases: gpt-4-turbo-preview, 4-turbo, 4t)",
        "OpenAI Chat: gpt-4.5-preview-2025-02-27",
        "OpenAI Chat: gpt-4.5-preview (aliases: gpt-4.5)",
        "OpenAI Chat: o1",
        "OpenAI Chat: o1-2024-12-17",
        "OpenAI Chat: o1-preview",
        "OpenAI Chat: o1-mini",
        "OpenAI Chat: o3-mini",
        "OpenAI Chat: o3",
        "OpenAI Chat: o4-mini",
        "OpenAI Completion: gpt-3.5-turbo-instruct (aliases: 3.5-instruct, chatgpt-instruct)",
    ];

    private static readonly string[] AnthropicModels =
    [
        "Anthropic Messages: anthropic/claude-3-opus-20240229",
        "Anthropic Messages: anthropic/claude-3-opus-latest (aliases: claude-3-opus)",
        "Anthropic Messages: anthropic/claude-3-sonnet-20240229 (aliases: claude-3-sonnet)",
        "Anthropic Messages: anthropic/claude-3-haiku-20240307 (aliases: claude-3-haiku)",
        "Anthropic Messages: anthropic/claude-3-5-sonnet-20240620",
        "Anthropic Messages: anthropic/claude-3-5-sonnet-20241022",
        "Anthropic Messages: anthropic/claude-3-5-sonnet-latest (aliases: claude-3.5-sonnet, claude-3.5-sonnet-latest)",
        "Anthropic Messages: anthropic/claude-3-5-haiku-latest (aliases: claude-3.5-haiku)",
        "Anthropic Messages: anthropic/claude-3-7-sonnet-20250219",
        "Anthropic Messages: anthropic/claude-3-7-sonnet-latest (aliases: claude-3.7-sonnet, claude-3.7-sonnet-latest)",
        "Anthropic Messages: anthropic/claude-opus-4-0 (aliases: claude-4-opus)",
        "Anthropic Messages: anthropic/claude-sonnet-4-0 (aliases: claude-4-sonnet)",
        "Anthropic Messages: anthropic/claude-opus-4-1-20250805 (aliases: claude-opus-4.1)",
        "Anthropic Messages: anthropic/claude-sonnet-4-5 (aliases: claude-sonnet-4.5)",
        "Anthropic Messages: anthropic/claude-haiku-4-5-20251001 (aliases: claude-haiku-4.5)",
        "Anthropic Messages: anthropic/claude-opus-4-5-20251101 (aliases: claude-opus-4.5)",
        "Anthropic Messages: anthropic/claude-opus-4-6 (aliases: claude-opus-4.6)",
        "Anthropic Messages: anthropic/claude-sonnet-4-6 (aliases: claude-sonnet-4.6)",
        "Anthropic Messages: anthropic/claude-opus-4-7 (aliases: claude-opus-4.7)",
        "Anthropic Messages: anthropic/claude-opus-4-8 (aliases: claude-opus-4.8)",
    ];

    private readonly FakeKubernetesApi _api;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private int _concurrent;

    public ScriptedVibectl(FakeKubernetesApi api)
    {
        _api = api ?? throw new ArgumentNullException(nameof(api));
        api.OnExec(HandleAsync);
    }

    /// <summary>vibectl's <c>memory_content</c> (empty for null).</summary>
    public string Memory { get; set; } = "";

    /// <summary>vibectl's <c>memory.max_chars</c> (default 500, config.py DEFAULT_CONFIG).</summary>
    public int MaxChars { get; private set; } = 500;

    /// <summary><c>system.custom_instructions</c>.</summary>
    public string? Instructions { get; private set; }

    /// <summary>Settings changed with <c>config set</c>, as typed.</summary>
    public ConcurrentDictionary<string, string> Config { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// OpenAI-compatible models from llm's <c>extra-openai-models.yaml</c>, each a <c>model_id</c>
    /// and its aliases: listed after the built-in OpenAI models (llm 0.26 openai_models.py register_models 166-215).
    /// </summary>
    public IReadOnlyList<(string Id, string[] Aliases)> ExtraModels { get; set; } = [];

    /// <summary>Every command line run, as the argument array it came in.</summary>
    public ConcurrentQueue<IReadOnlyList<string>> Commands { get; } = new();

    /// <summary>Memory as it was at each <c>auto</c>, so a test can see what the agent was told.</summary>
    public ConcurrentQueue<string> MemoryAtAuto { get; } = new();

    /// <summary>When set, <c>auto</c> hangs until stopped (by the in-pod timeout or the client leaving).</summary>
    public bool Hang { get; set; }

    /// <summary>
    /// When set, <c>auto</c>'s first plan fails with this error: it prints <c>Error: {Fail}</c> on
    /// stderr and stops, and exits 0, as vibectl 0.11.6 does (cli.py auto: handle_exception, no exit).
    /// </summary>
    public string? Fail { get; set; }

    /// <summary>Rounds of <c>auto</c> run and completed.</summary>
    public int AutoRuns { get; private set; }

    /// <summary>The most <c>auto</c> runs seen at once.</summary>
    public int MaxConcurrent { get; private set; }

    /// <summary>Holds the <c>flock</c> lock at <paramref name="path"/> as a process still running in the pod would, until disposed.</summary>
    public IDisposable HoldLock(string path)
    {
        var gate = _locks.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        if (!gate.Wait(0))
        {
            throw new InvalidOperationException($"{path} is already held.");
        }

        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    private async Task<int> HandleAsync(ExecContext exec)
    {
        Commands.Enqueue(exec.Command);
        return await RunAsync([.. exec.Command], exec, columns: null, exec.CancellationToken);
    }

    /// <param name="columns">COLUMNS from <c>env</c>, or null: Rich then wraps at 80 (vibectl-0.11.6.md §0).</param>
    private async Task<int> RunAsync(List<string> args, ExecContext exec, int? columns, CancellationToken cancellationToken)
    {
        var output = new Printer(exec.Stdout, columns ?? 80);
        var errors = new Printer(exec.Stderr, columns ?? 80);
        switch (args)
        {
            case ["env", .. var rest]:
                var settings = rest.TakeWhile(a => a.Contains('=', StringComparison.Ordinal)).ToList();
                var width = settings.LastOrDefault(s => s.StartsWith("COLUMNS=", StringComparison.Ordinal)) is { } c
                    && int.TryParse(c["COLUMNS=".Length..], CultureInfo.InvariantCulture, out var w) ? w : columns;
                return await RunAsync([.. rest.Skip(settings.Count)], exec, width, cancellationToken);
            case ["timeout", .. var rest]:
                var options = rest.TakeWhile(a => a.StartsWith('-')).Count();
                var seconds = int.Parse(rest[options], CultureInfo.InvariantCulture);
                using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    limit.CancelAfter(TimeSpan.FromSeconds(seconds));
                    try
                    {
                        return await RunAsync([.. rest.Skip(options + 1)], exec, columns, limit.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        return 124; // what coreutils timeout exits with when it stopped the command
                    }
                }

            case ["flock", "-n", "-E", var code, var path, .. var command] when command.Count > 0:
                // util-linux flock: -n fails at once when the lock is held, with -E's exit code.
                var gate = _locks.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
                if (!gate.Wait(0, CancellationToken.None))
                {
                    return int.Parse(code, CultureInfo.InvariantCulture);
                }

                try
                {
                    return await RunAsync([.. command], exec, columns, cancellationToken);
                }
                finally
                {
                    gate.Release();
                }

            case ["flock", ..]:
                await exec.Stderr.WriteLineAsync($"stand-in flock: only 'flock -n -E CODE FILE COMMAND...' is modelled: {string.Join(' ', args)}");
                return 64;
            case ["cat", ConfigFile]:
                await exec.Stdout.WriteAsync(ConfigYaml());
                return 0;
            case ["llm", "models"] or ["llm", "models", "list"]:
                // llm 0.26 cli.py models_list 2148-2226: one line per model, then the default.
                foreach (var line in OpenAiModels.Concat(ExtraModels.Select(Line)).Concat(AnthropicModels))
                {
                    await exec.Stdout.WriteLineAsync(line);
                }

                await exec.Stdout.WriteLineAsync("Default: gpt-4o-mini");
                return 0;
            case ["vibectl", "memory", "show"]:
                await exec.Stdout.WriteAsync(Memory.Length == 0 ? "Memory is empty. Use 'vibectl memory set' to add content.\n" : Panel(Memory));
                return 0;
            case ["vibectl", "memory", "set", .. var words]:
                // Click consumes one "--"; the words are joined with spaces (cli.py memory_set 1055).
                Memory = Cut(string.Join(' ', words is ["--", ..] ? words[1..] : words));
                await output.LineAsync("Memory set");
                return 0;
            case ["vibectl", "config", "set", var key, var value]:
                return await ConfigSetAsync(key, value, output, errors);
            case ["vibectl", "instructions", "set", .. var given]:
                // One optional argument (cli.py instructions_set 642-680); Click consumes one "--".
                var arguments = given is ["--", ..] ? given[1..] : given;
                if (arguments.Count != 1)
                {
                    await errors.LineAsync(arguments.Count == 0 ? "Error: No instructions provided via stdin" : $"Error: Got unexpected extra argument ({arguments[1]})");
                    return 1;
                }

                Instructions = arguments[0];
                await output.LineAsync("Custom instructions set successfully.");
                return 0;
            case ["vibectl", "auto", "--limit", var limit]:
                return await AutoAsync(int.Parse(limit, CultureInfo.InvariantCulture), exec, output, errors, cancellationToken);
            default:
                await exec.Stderr.WriteLineAsync($"stand-in vibectl: unexpected command {string.Join(' ', args)}");
                return 2;
        }
    }

    private static string Line((string Id, string[] Aliases) model) =>
        model.Aliases.Length == 0 ? $"OpenAI Chat: {model.Id}" : $"OpenAI Chat: {model.Id} (aliases: {string.Join(", ", model.Aliases)})";

    /// <summary>Every name llm's get_model accepts: each model id and alias (llm 0.26 __init__.py get_model_aliases).</summary>
    private IEnumerable<string> ModelNames() =>
        OpenAiModels.Concat(ExtraModels.Select(Line)).Concat(AnthropicModels).SelectMany<string, string>(line =>
        {
            var rest = line[(line.IndexOf(": ", StringComparison.Ordinal) + 2)..];
            var open = rest.IndexOf(" (aliases: ", StringComparison.Ordinal);
            return open < 0 ? [rest] : [rest[..open], .. rest[(open + 11)..^1].Split(", ")];
        });

    /// <summary>vibectl 0.11.6 cli.py config_set: errors go to handle_exception (stderr "Error: ..."), exit 0; nothing is saved.</summary>
    private async Task<int> ConfigSetAsync(string key, string value, Printer output, Printer errors)
    {
        if (key == "llm.model" && !ModelNames().Contains(value, StringComparer.Ordinal))
        {
            var message = $"Model name '{value}' is not recognized by the underlying 'llm' library. See 'llm models --known' for available options.";
            await errors.LineAsync($"[WARNING] {message}");
            await errors.LineAsync($"Error: {message}");
            return 0;
        }

        if (key == "memory.max_chars")
        {
            if (!int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var max))
            {
                await errors.LineAsync($"Error: Invalid value for memory.max_chars: {value}");
                return 0;
            }

            MaxChars = max;
        }

        Config[key] = value;
        await output.LineAsync($"Configuration {key} set to {value}");
        return 0;
    }

    private async Task<int> AutoAsync(int limit, ExecContext exec, Printer output, Printer errors, CancellationToken cancellationToken)
    {
        MemoryAtAuto.Enqueue(Memory);
        var now = Interlocked.Increment(ref _concurrent);
        MaxConcurrent = Math.Max(MaxConcurrent, now);
        try
        {
            // The lines of vibectl 0.11.6 auto_cmd.py run_auto_command with the Overseer's settings
            // (display.show_streaming false, display.show_kubectl true): vibectl-0.11.6.md §6.
            var model = Config.GetValueOrDefault("llm.model", DefaultModel);
            var showKubectl = Config.GetValueOrDefault("display.show_kubectl") is "true";
            await errors.LineAsync("Note: Starting vibectl auto session");
            for (var i = 1; i <= limit; i++)
            {
                await output.LineAsync($"🔄 Consulting {model} for a plan...");
                if (Hang)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                if (Fail is { } failure)
                {
                    await errors.LineAsync($"Error: {failure}");
                    return 0;
                }

                // Like the real agent, it reads the live value (kubectl get), then doubles it, or
                // halves it at the top of its range, so every round makes one change.
                var current = CurrentIoThreads();
                if (i == 1)
                {
                    var next = current >= 16 ? current / 2 : current * 2;
                    if (showKubectl)
                    {
                        await output.LineAsync($"🔄 Running: kubectl patch kafka kafkademo -n kafka --type merge -p {{\"spec\":{{\"kafka\":{{\"config\":{{\"num.io.threads\":{next}}}}}}}}}");
                    }

                    PatchKafka(next);
                    if (showKubectl)
                    {
                        await output.LineAsync("🔄 kubectl patch");
                    }

                    await output.LineAsync("✨ Vibe");
                    await output.LineAsync($"Patched num.io.threads from {current} to {next} on kafkademo; brokers will roll. Watch p99 over the next minutes to judge the effect.");

                    // The LLM's memory update rewrites the whole memory, cut at max_chars (memory.py update_memory).
                    Memory = Cut($"{Memory}\nRound {AutoRuns + 1}: set num.io.threads {current}→{next} because handler idle was low.");
                }
                else
                {
                    if (showKubectl)
                    {
                        await output.LineAsync("🔄 Running: kubectl get kafka kafkademo -n kafka -o jsonpath={.spec.kafka.config}");
                        await output.LineAsync("🔄 kubectl get");
                    }

                    await output.LineAsync("✨ Vibe");
                    await output.LineAsync($"The brokers run with num.io.threads={current}; no further change this iteration while the Overseer measures the effect.");
                }

                await errors.LineAsync("Note: Waiting 5 seconds before next iteration...");
            }

            await errors.LineAsync($"Note: Completed {limit} iterations as requested");
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

    /// <summary>vibectl 0.11.6 memory.py set_memory: <c>memory_text[:max_chars]</c>, a cut by code points.</summary>
    private string Cut(string text)
    {
        var runes = text.EnumerateRunes().ToList();
        return runes.Count <= MaxChars ? text : string.Concat(runes.Take(Math.Max(0, MaxChars)).Select(r => r.ToString()));
    }

    /// <summary>
    /// config.yaml as vibectl writes it (config_utils.py save_yaml_config: PyYAML dump, keys sorted,
    /// non-ASCII escaped in double quotes, long strings folded at 80 columns), for what the stand-in keeps.
    /// </summary>
    private string ConfigYaml()
    {
        var sections = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal)
        {
            ["display"] = new(StringComparer.Ordinal)
            {
                ["show_kubectl"] = Bool("display.show_kubectl", false),
                ["show_streaming"] = Bool("display.show_streaming", true),
            },
            ["llm"] = new(StringComparer.Ordinal) { ["model"] = Quoted(Config.GetValueOrDefault("llm.model", DefaultModel), 4) },
            ["memory"] = new(StringComparer.Ordinal) { ["enabled"] = "true", ["max_chars"] = MaxChars.ToString(CultureInfo.InvariantCulture) },
            ["system"] = new(StringComparer.Ordinal) { ["custom_instructions"] = Instructions is null ? "null" : Quoted(Instructions, 4) },
        };
        var yaml = new StringBuilder();
        foreach (var (section, values) in sections)
        {
            if (section == "system")
            {
                yaml.Append("memory_content: ").Append(Memory.Length == 0 ? "null" : Quoted(Memory, 2)).Append('\n');
            }

            yaml.Append(section).Append(":\n");
            foreach (var (key, value) in values)
            {
                yaml.Append("  ").Append(key).Append(": ").Append(value).Append('\n');
            }
        }

        return yaml.ToString();

        string Bool(string key, bool fallback) =>
            Config.TryGetValue(key, out var text) ? (text.Trim().ToLowerInvariant() is "true" or "yes" or "1" or "on" ? "true" : "false") : fallback ? "true" : "false";
    }

    /// <summary>A PyYAML double-quoted scalar: escapes, and a fold at a space past 80 columns continued with <c>\</c>.</summary>
    private static string Quoted(string text, int indent)
    {
        var result = new StringBuilder("\"");
        var column = indent + 1;
        foreach (var rune in text.EnumerateRunes())
        {
            var piece = rune.Value switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                '\t' => "\\t",
                < 0x20 => string.Create(CultureInfo.InvariantCulture, $"\\x{rune.Value:X2}"),
                < 0x7F => rune.ToString(),
                <= 0xFF => string.Create(CultureInfo.InvariantCulture, $"\\x{rune.Value:X2}"),
                <= 0xFFFF => string.Create(CultureInfo.InvariantCulture, $"\\u{rune.Value:X4}"),
                _ => string.Create(CultureInfo.InvariantCulture, $"\\U{rune.Value:X8}"),
            };
            if (rune.Value == ' ' && column > 80)
            {
                result.Append("\\\n").Append(' ', indent).Append("\\ ");
                column = indent + 2;
                continue;
            }

            result.Append(piece);
            column += piece.Length;
        }

        return result.Append('"').ToString();
    }

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

    /// <summary>
    /// Prints as vibectl's Rich console does without a TTY: word-wrapped at the console width (80
    /// unless COLUMNS), a wrapped line keeping the space before the break, a longer word folded
    /// (vibectl-0.11.6.md §0). Width is counted in UTF-16 units, close to Rich's cells for this text.
    /// </summary>
    private sealed class Printer(TextWriter writer, int width)
    {
        public async Task LineAsync(string text)
        {
            var rest = text;
            while (rest.Length > width)
            {
                var space = rest.LastIndexOf(' ', width - 1);
                var cut = space > 0 ? space + 1 : width;
                await writer.WriteLineAsync(rest[..cut]);
                rest = rest[cut..];
            }

            await writer.WriteLineAsync(rest);
        }
    }
}
