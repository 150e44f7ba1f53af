using System.Numerics;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// <c>/usr/local/bin/vibectl</c>, vibectl 0.11.6 (vibectl/cli.py): main() (init_logging, then the
/// click group with <c>standalone_mode=False</c>: a usage error or an exception escaping a command
/// goes through utils.py handle_exception and exits 1, <c>--version</c> exits 0), the group callback
/// (the model key check and its warnings), and the commands the Overseer and the tests use:
/// <c>config set|show|unset</c>, <c>memory show|set|clear|freeze|unfreeze</c>,
/// <c>instructions set|show|clear</c> and <c>auto</c>. Every other command of vibectl is a stand-in
/// gap, and so is <c>--help</c>.
/// </summary>
internal sealed class VibectlProgram : IContainerProgram
{
    /// <summary>Every command of the cli group in 0.11.6 (cli.py; click names functions with dashes).</summary>
    private static readonly string[] Commands =
    [
        "get", "describe", "logs", "create", "delete", "just", "config", "instructions", "theme", "auto", "semiauto", "events", "check", "vibe",
        "version", "cluster-info", "memory", "scale", "patch", "edit", "rollout", "wait", "port-forward", "diff", "apply", "plugin", "setup-proxy", "audit",
    ];

    private static readonly ClickOption[] GroupOptions =
    [
        new("version", ["--version"], ClickOptionKind.Flag),
        new("log_level", ["--log-level"], ClickOptionKind.Choice, Choices: ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
        new("verbose", ["--verbose"], ClickOptionKind.Flag),
        new("no_proxy", ["--no-proxy"], ClickOptionKind.Flag),
        new("proxy", ["--proxy"], ClickOptionKind.Text),
        new("model", ["--model"], ClickOptionKind.Text),
        new("show_kubectl", ["--show-kubectl"], ClickOptionKind.Flag, "--no-show-kubectl"),
        new("show_metrics", ["--show-metrics"], ClickOptionKind.Choice, Choices: ["none", "total", "sub", "all"]),
        new("show_streaming", ["--show-streaming"], ClickOptionKind.Flag, "--no-show-streaming"),
        new("show_raw_output", ["--show-raw-output"], ClickOptionKind.Flag, "--no-show-raw-output"),
        new("mode", ["--mode"], ClickOptionKind.Choice, Choices: ["manual", "auto", "semiauto"]),
    ];

    public string Path => "/usr/local/bin/vibectl";

    public async Task<int> RunAsync(ProgramContext context)
    {
        if (RichConsole.WidthFrom(context.Environment) is not { } width)
        {
            return await context.NotModelledAsync($"Rich with COLUMNS={context.Environment.GetValueOrDefault("COLUMNS")}", 1);
        }

        var vibectl = new VibectlProcess(context, new RichConsole(width));
        try
        {
            // cli.py main(): init_logging() (which reads, and so creates, the config), then cli().
            InitLogging(vibectl);
            await CliAsync(vibectl);
            return 0;
        }
        catch (VibectlExit exit)
        {
            return exit.Code;
        }
        catch (PyError e)
        {
            await HandleExceptionAsync(vibectl, e);
            return 1;
        }
    }

    /// <summary>logutil.py init_logging: the level from VIBECTL_LOG_LEVEL, else system.log_level.</summary>
    private static void InitLogging(VibectlProcess vibectl)
    {
        var config = vibectl.Config();
        var level = vibectl.Context.Environment.GetValueOrDefault("VIBECTL_LOG_LEVEL") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : PyValue.Str(config.Get("system.log_level", "INFO"));
        vibectl.Log.Configure(level);
    }

    private static async Task CliAsync(VibectlProcess vibectl)
    {
        var context = vibectl.Context;
        var parsed = ClickCommand.Parse(context.Arguments, GroupOptions, [], isGroup: true);
        if (parsed.Help)
        {
            await NotModelledAsync(vibectl, "vibectl --help");
        }

        if (parsed.Flag("version") == true)
        {
            // decorators.py version_option: "%(prog)s, version %(version)s", then ctx.exit().
            await context.Stdout.WriteAsync("vibectl, version 0.11.6\n");
            throw new VibectlExit(0);
        }

        if (parsed.Rest.Count > 0 && !Commands.Contains(parsed.Rest[0]))
        {
            // core.py MultiCommand.resolve_command, before the group's callback.
            throw new PyError("UsageError", $"No such command {PyStr.Repr(parsed.Rest[0])}.");
        }

        var subcommand = parsed.Rest.FirstOrDefault();
        await CallbackAsync(vibectl, parsed, subcommand);
        if (subcommand is null)
        {
            // console.py print_vibe_welcome.
            await vibectl.Console.SafePrintAsync(context.Stdout, "🔮 Welcome to vibectl - vibes-based kubectl");
            await vibectl.Console.SafePrintAsync(context.Stdout, "Use 'vibe' commands to get AI-powered insights about your cluster");
            return;
        }

        var rest = parsed.Rest.Skip(1).ToList();
        switch (subcommand)
        {
            case "config":
                await VibectlCommands.ConfigAsync(vibectl, rest);
                break;
            case "memory":
                await VibectlCommands.MemoryAsync(vibectl, rest);
                break;
            case "instructions":
                await VibectlCommands.InstructionsAsync(vibectl, rest);
                break;
            case "auto":
                await AutoAsync(vibectl, rest);
                break;
            default:
                await NotModelledAsync(vibectl, $"vibectl {subcommand}");
                break;
        }
    }

    /// <summary>
    /// cli.py cli (230-310): log level flags, the CLI overrides, the theme, and the model key check
    /// (model_adapter.py validate_model_key): its logger WARNING always, and for commands other than
    /// config and help the message as a Rich warning (so "Warning: Warning: ...") and a second WARNING.
    /// </summary>
    private static async Task CallbackAsync(VibectlProcess vibectl, ClickParseResult parsed, string? subcommand)
    {
        var environment = vibectl.Context.Environment;
        if (parsed.Flag("verbose") == true)
        {
            environment["VIBECTL_LOG_LEVEL"] = "DEBUG";
        }
        else if (parsed.Option<string>("log_level") is { } level)
        {
            environment["VIBECTL_LOG_LEVEL"] = level.ToUpperInvariant();
        }

        InitLogging(vibectl);
        if (parsed.Option<string>("proxy") is not null && parsed.Flag("no_proxy") == true)
        {
            throw new PyError("BadOptionUsage", "--proxy and --no-proxy cannot be used together.");
        }

        if (parsed.Flag("no_proxy") == true)
        {
            vibectl.Overrides["proxy.active"] = null;
        }
        else if (parsed.Option<string>("proxy") is { } proxy)
        {
            vibectl.Overrides["proxy.active"] = proxy;
        }

        foreach (var (option, key) in new[] { ("model", "llm.model"), ("show_metrics", "display.show_metrics"), ("mode", "execution.mode") })
        {
            if (parsed.Option<string>(option) is { } value)
            {
                vibectl.Overrides[key] = value;
            }
        }

        foreach (var (option, key) in new[] { ("show_kubectl", "display.show_kubectl"), ("show_streaming", "display.show_streaming"), ("show_raw_output", "display.show_raw_output") })
        {
            if (parsed.Flag(option) is { } value)
            {
                vibectl.Overrides[key] = value;
            }
        }

        if (vibectl.Config().Get("proxy.active") is { } active && PyValue.Truthy(active))
        {
            vibectl.Context.Pod.Programs.RecordGap("vibectl with a proxy profile is not modelled");
        }

        var theme = PyValue.Str(vibectl.Config().Get("display.theme", "default"));
        if (theme is not ("default" or "dark" or "light" or "accessible"))
        {
            await vibectl.Log.WarningAsync("Failed to set theme: Invalid theme name");
        }

        var model = PyValue.Str(vibectl.Config().Get("llm.model", "claude-3.7-sonnet"));
        if (await ValidateModelKeyAsync(vibectl, model) is { } warning && subcommand is not ("config" or "help"))
        {
            await vibectl.Console.WarningAsync(warning);
            await vibectl.Log.WarningAsync($"Model validation warning: {warning}");
        }
    }

    /// <summary>model_adapter.py LLMModelAdapter.validate_model_key (1125-1179).</summary>
    private static async Task<string?> ValidateModelKeyAsync(VibectlProcess vibectl, string model)
    {
        var provider = VibectlProcess.ProviderOf(model);
        if (provider is null)
        {
            await vibectl.Log.WarningAsync($"Unknown model provider for '{model}'. Key validation skipped.");
            return $"Unknown model provider for '{model}'. Key validation skipped.";
        }

        if (provider == "ollama")
        {
            return null;
        }

        var key = vibectl.Config().GetModelKey(provider);
        if (string.IsNullOrEmpty(key))
        {
            await vibectl.Log.WarningAsync($"No API key found for provider '{provider}' (model '{model}')");
            return VibectlProcess.ApiKeyMessage(provider, model, isError: false);
        }

        if (!key.StartsWith("sk-", StringComparison.Ordinal) && key.Length >= 20)
        {
            var name = char.ToUpperInvariant(provider[0]) + provider[1..];
            await vibectl.Log.WarningAsync($"{name} API key format looks invalid for model '{model}'");
            return $"Warning: The {name} API key format looks invalid. {name} keys typically start with 'sk-' and are longer than 20 characters.";
        }

        return null;
    }

    /// <summary>
    /// cli.py auto (764-814): its options; run_auto_command; handle_result on success (nothing printed,
    /// exit 0); every exception (a halting error included) to handle_exception, and exit 0.
    /// </summary>
    private static async Task AutoAsync(VibectlProcess vibectl, IReadOnlyList<string> args)
    {
        ClickOption[] options =
        [
            new("show_vibe", ["--show-vibe"], ClickOptionKind.Flag, "--no-show-vibe"),
            new("model", ["--model"], ClickOptionKind.Text),
            new("freeze_memory", ["--freeze-memory"], ClickOptionKind.Flag),
            new("unfreeze_memory", ["--unfreeze-memory"], ClickOptionKind.Flag),
            new("show_kubectl", ["--show-kubectl"], ClickOptionKind.Flag, "--no-show-kubectl"),
            new("show_metrics", ["--show-metrics"], ClickOptionKind.Choice, Choices: ["none", "total", "sub", "all"]),
            new("show_streaming", ["--show-streaming"], ClickOptionKind.Flag, "--no-show-streaming"),
            new("show_raw_output", ["--show-raw-output"], ClickOptionKind.Flag, "--no-show-raw-output"),
            new("limit", ["--limit", "-l"], ClickOptionKind.Integer),
            new("interval", ["--interval", "-i"], ClickOptionKind.Integer),
        ];
        var parsed = ClickCommand.Parse(args, options, [new ClickArgument("request", Required: false)], isGroup: false);
        if (parsed.Help)
        {
            await NotModelledAsync(vibectl, "vibectl auto --help");
        }

        var session = vibectl.Context.Pod.Programs.BeginAuto(vibectl.Context.Pod, VibectlProcess.GetMemory(vibectl.Config()) ?? "");
        try
        {
            var result = await new VibectlAuto(vibectl).RunAsync(new VibectlAuto.Options(
                parsed.Arguments["request"] as string,
                parsed.Flag("show_raw_output"),
                parsed.Flag("show_vibe"),
                parsed.Flag("show_kubectl"),
                parsed.Option<string>("model"),
                parsed.Flag("freeze_memory") == true,
                parsed.Flag("unfreeze_memory") == true,
                parsed.Integer("interval") ?? new BigInteger(5),
                parsed.Integer("limit"),
                parsed.Option<string>("show_metrics"),
                parsed.Flag("show_streaming")));
            session.End(result is VibeSuccess { Message: var message } ? message : "");
            await HandleResultAsync(vibectl, result);
        }
        catch (PyError e)
        {
            session.End($"failed: {e.Str}");
            await HandleExceptionAsync(vibectl, e);
        }
        finally
        {
            session.Close();
        }
    }

    /// <summary>cli.py handle_result: a Success's data printed, an Error printed; then sys.exit.</summary>
    internal static async Task HandleResultAsync(VibectlProcess vibectl, VibeResult result)
    {
        switch (result)
        {
            case VibeSuccess success:
                if (!string.IsNullOrEmpty(success.Data))
                {
                    await vibectl.Console.PrintAsync(success.Data);
                }

                throw new VibectlExit(success.OriginalExitCode ?? 0);
            case VibeError error:
                await vibectl.Console.ErrorAsync(error.Error);
                throw new VibectlExit(error.OriginalExitCode ?? 1);
        }
    }

    /// <summary>
    /// utils.py handle_exception (36-124) without exit_on_error: a key error becomes the OpenAI
    /// missing-key line, a ValueError mentioning "json" the kubectl version note, and so on; else
    /// <c>Error: {e}</c> (or "Unknown error occurred" for an empty message). A traceback
    /// (VIBECTL_TRACEBACK=1 or DEBUG) is not modelled.
    /// </summary>
    internal static async Task HandleExceptionAsync(VibectlProcess vibectl, PyError e)
    {
        var message = e.Str;
        var lower = message.ToLowerInvariant();
        var console = vibectl.Console;
        if (lower.Contains("missing request after 'vibe'", StringComparison.Ordinal))
        {
            await console.ErrorAsync("Missing request after 'vibe' command");
            return;
        }

        if (vibectl.Context.Environment.GetValueOrDefault("VIBECTL_TRACEBACK") == "1")
        {
            vibectl.Context.Pod.Programs.RecordGap("vibectl's traceback (VIBECTL_TRACEBACK=1) is not modelled");
        }

        if (lower.Contains("no key found", StringComparison.Ordinal) || lower.Contains("api key", StringComparison.Ordinal))
        {
            await console.MissingApiKeyAsync();
        }
        else if (e.Is("FileNotFoundError"))
        {
            await console.ErrorAsync(lower.Contains("kubectl", StringComparison.Ordinal) ? "kubectl not found in PATH" : $"File not found: {message}");
        }
        else if ((e.Is("JSONDecodeError") || e.Is("ValueError")) && lower.Contains("json", StringComparison.Ordinal))
        {
            await console.NoteAsync("kubectl version information not available");
        }
        else if (lower.Contains("llm error", StringComparison.Ordinal))
        {
            await console.ErrorAsync(message);
            await console.NoteAsync("Could not get vibe check");
        }
        else if (lower.Contains("invalid response format", StringComparison.Ordinal))
        {
            await console.ErrorAsync(message);
        }
        else if (lower.Contains("truncated", StringComparison.Ordinal) && lower.Contains("output", StringComparison.Ordinal))
        {
            await console.WarningAsync("Output was truncated for processing");
        }
        else if (lower.Contains("no output", StringComparison.Ordinal) || lower.Contains("empty output", StringComparison.Ordinal))
        {
            await console.NoteAsync("No output to display");
        }
        else
        {
            await console.ErrorAsync(message.Length == 0 || message == "None" ? "Unknown error occurred" : message);
        }
    }

    internal static async Task NotModelledAsync(VibectlProcess vibectl, string what)
    {
        await vibectl.Context.NotModelledAsync(what, 1);
        throw new VibectlExit(1);
    }
}

/// <summary>sys.exit(code) inside the emulated vibectl.</summary>
internal sealed class VibectlExit : Exception
{
    public VibectlExit()
    {
    }

    public VibectlExit(int code)
        : base($"exit {code}")
    {
        Code = code;
    }

    public VibectlExit(string message)
        : base(message)
    {
    }

    public VibectlExit(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Code { get; }
}
