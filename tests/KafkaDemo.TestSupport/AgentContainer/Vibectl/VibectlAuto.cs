using System.Numerics;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// <c>vibectl auto</c> of vibectl 0.11.6: subcommands/auto_cmd.py run_auto_command around
/// subcommands/vibe_cmd.py run_vibe_command, execution/vibe.py handle_vibe_request (planning, the
/// safety validator, each action), _confirm_and_execute_plan with the confirmation prompt, and
/// command_handler.py handle_command_output (summary or recovery suggestions, memory updates).
/// Every printed line and every decision follows that source; the model's answers come from the
/// scripted model; kubectl is the real one.
/// </summary>
internal sealed class VibectlAuto(VibectlProcess vibectl)
{
    /// <summary>k8s_utils.py READ_ONLY_KUBECTL_VERBS.</summary>
    private static readonly string[] ReadOnlyVerbs = ["get", "describe", "logs", "api-versions", "api-resources", "top", "cluster-info", "diff", "explain", "auth", "version", "proxy"];

    /// <summary>security/response_validation.py _DESTRUCTIVE_KUBECTL_VERBS.</summary>
    private static readonly string[] DestructiveVerbs = ["delete", "drain", "scale", "patch", "apply", "annotate", "label", "cordon", "uncordon", "rollout"];

    /// <summary>response_validation.py _validate_command_action dangerous_flags_prefixes.</summary>
    private static readonly string[] DangerousFlagPrefixes = ["--force", "--grace-period", "--cascade", "--overwrite", "--all", "--prune"];

    private static readonly string[] ChainTokens = [";", "&&", "||", "|", "`"];

    private VibectlConsole Console => vibectl.Console;

    private VibectlLog Log => vibectl.Log;

    private ProgramContext Context => vibectl.Context;

    /// <summary>The options of <c>vibectl auto</c> (cli.py auto, common_command_options).</summary>
    public sealed record Options(string? Request, bool? ShowRawOutput, bool? ShowVibe, bool? ShowKubectl, string? Model, bool FreezeMemory, bool UnfreezeMemory,
        BigInteger Interval, BigInteger? Limit, string? ShowMetrics, bool? ShowStreaming);

    /// <summary>
    /// auto_cmd.py run_auto_command with exit_on_error=True: notes, the loop with its limit, the
    /// iteration's result (DONE ends it, a non-halting error continues, a halting one is raised as
    /// <c>ValueError("Error in vibe command: ...")</c>), and the interval slept after every iteration.
    /// </summary>
    public async Task<VibeResult> RunAsync(Options options)
    {
        var config = vibectl.Config();
        var showMemory = PyValue.Truthy(config.Get("show_memory", false));
        var showIterations = PyValue.Truthy(config.Get("show_iterations", false));
        await Console.NoteAsync("Starting vibectl auto session");
        if (options.Limit is { } announced && showIterations)
        {
            await Console.NoteAsync($"Will run for {announced} iterations");
        }

        await ConfigureMemoryFlagsAsync(options.FreezeMemory, options.UnfreezeMemory);
        var iteration = BigInteger.One;
        while (true)
        {
            if (options.Limit is { } limit && iteration > limit)
            {
                await Console.NoteAsync($"Completed {limit} iterations as requested");
                return new VibeSuccess(Message: $"Auto session completed after {limit} iterations");
            }

            if (showIterations)
            {
                await Console.NoteAsync(options.Limit is { } total ? $"Iteration {iteration}/{total}" : $"Iteration {iteration}");
            }

            if (showMemory)
            {
                // auto_cmd.py 129-143: console.print, not safe_print.
                if (VibectlProcess.GetMemory(vibectl.Config()) is { Length: > 0 } memory)
                {
                    try
                    {
                        await Context.Stdout.WriteAsync(Console.Rich.PrintPanel(memory, "Memory Content", titleIsMarkup: true));
                    }
                    catch (MarkupException e)
                    {
                        throw new PyError("MarkupError", e.Message);
                    }
                }
                else
                {
                    await Console.WarningAsync("Memory is empty. Use 'vibectl memory set' to add content.");
                }
            }

            var result = await RunVibeCommandAsync(options);
            if (result is VibeSuccess { ContinueExecution: false })
            {
                await Console.NoteAsync("Auto session exited by user");
                return new VibeSuccess(Message: "Auto session exited by user");
            }

            if (result is VibeError error)
            {
                if (error.RecoverySuggestions is { Length: > 0 } suggestions)
                {
                    await Console.NoteAsync("Recovery suggestions:");
                    await Console.NoteAsync(suggestions);
                }

                if (!error.HaltAutoLoop)
                {
                    await Console.NoteAsync("Continuing to next step...");
                }
                else
                {
                    throw PyError.ValueError($"Error in vibe command: {error.Error}");
                }
            }

            if (options.Interval > 0)
            {
                await Console.NoteAsync($"Waiting {options.Interval} seconds before next iteration...");
                await Context.SleepAsync(TimeSpan.FromSeconds((double)options.Interval));
            }

            iteration++;
        }
    }

    /// <summary>memory.py configure_memory_flags: both is a ValueError; either persists memory.enabled.</summary>
    private Task ConfigureMemoryFlagsAsync(bool freeze, bool unfreeze)
    {
        if (freeze && unfreeze)
        {
            throw PyError.ValueError("Cannot specify both --freeze-memory and --unfreeze-memory");
        }

        if (freeze || unfreeze)
        {
            var config = vibectl.Config();
            config.Set("memory.enabled", unfreeze);
            config.Save();
        }

        return Task.CompletedTask;
    }

    /// <summary>types.py OutputFlags.from_args.</summary>
    private OutputFlags Flags(Options options)
    {
        var config = vibectl.Config();
        bool Setting(bool? flag, string key, bool fallback) => flag ?? PyValue.Truthy(config.Get(key, fallback));
        var metrics = options.ShowMetrics ?? PyValue.Str(config.Get("display.show_metrics", "none"));
        return new OutputFlags(
            options.Model ?? PyValue.Str(config.Get("llm.model", "claude-3.7-sonnet")),
            Setting(options.ShowRawOutput, "display.show_raw_output", false),
            Setting(options.ShowVibe, "display.show_vibe", true),
            Setting(options.ShowKubectl, "display.show_kubectl", false),
            metrics,
            Setting(options.ShowStreaming, "display.show_streaming", true),
            PyValue.Truthy(config.Get("warnings.warn_no_output", true)));
    }

    /// <summary>
    /// vibe_cmd.py run_vibe_command with exit_on_error=False in AUTO mode: a ValueError out of
    /// handle_vibe_request is a non-halting "LLM planning/parsing error", any other exception (a
    /// click Abort at a confirmation, too) a halting "Unexpected error in handle_vibe_request".
    /// </summary>
    private async Task<VibeResult> RunVibeCommandAsync(Options options)
    {
        try
        {
            var flags = Flags(options);
            if (flags.ShowMetrics != "none")
            {
                Context.Pod.Programs.RecordGap($"vibectl's LLM metrics display (show_metrics {flags.ShowMetrics}) is not modelled");
            }

            await ConfigureMemoryFlagsAsync(options.FreezeMemory, options.UnfreezeMemory);
            try
            {
                return await HandleVibeRequestAsync(options.Request ?? "", flags);
            }
            catch (PyError e) when (e.Is("ValueError"))
            {
                await Log.WarningWithTracebackAsync($"Recoverable ValueError in handle_vibe_request: {e.Str}", e);
                return new VibeError($"LLM planning/parsing error: {e.Str}") { HaltAutoLoop = false };
            }
            catch (PyError e)
            {
                return new VibeError($"Unexpected error in handle_vibe_request: {e.Str}");
            }
        }
        catch (PyError e)
        {
            return new VibeError($"Error in vibe command: {e.Str}");
        }
    }

    /// <summary>execution/vibe.py handle_vibe_request in AUTO mode.</summary>
    private async Task<VibeResult> HandleVibeRequestAsync(string request, OutputFlags flags)
    {
        var config = vibectl.Config();
        var (plan, planError) = await GetPlanAsync(flags.ModelName, request, config);
        if (planError is not null)
        {
            return planError;
        }

        var action = plan!;
        var mode = "auto";
        var (outcome, reason) = Validate(action, mode);
        if (outcome == "reject")
        {
            await Log.WarningAsync($"Response action rejected by validator: {reason}");
            return new VibeError($"Action rejected by safety validator: {reason}") { RecoverySuggestions = "Revise request or run in manual mode for details." };
        }

        if (outcome == "confirm")
        {
            mode = "manual";
        }

        var commandMessage = $"command: vibe request: {request}";
        switch (action.ActionType)
        {
            case "ERROR":
                var message = action.Text("message")!;
                await vibectl.UpdateMemoryAsync(commandMessage, message, "", flags.ModelName);
                await Console.ErrorAsync($"LLM Planning Error: {message}");
                return new VibeError($"LLM planning error: {message}") { RecoverySuggestions = message };
            case "DONE":
                var done = action.Text("explanation") is { Length: > 0 } explanation ? explanation : "AI signalled completion of the requested task.";
                await vibectl.UpdateMemoryAsync(commandMessage, $"DONE: {done}", "", flags.ModelName);
                return new VibeSuccess(Message: done, ContinueExecution: false) { OriginalExitCode = action.Integer("exit_code") };
            case "WAIT":
                var duration = action.Integer("duration_seconds") ?? 0;
                await vibectl.UpdateMemoryAsync(commandMessage, $"AI requested wait for {duration}s.", "", flags.ModelName);
                await Console.ProcessingAsync($"Waiting for {duration} seconds as requested by AI...");
                if (duration > 0)
                {
                    await Context.SleepAsync(TimeSpan.FromSeconds(duration));
                }

                await Console.NoteAsync($"Waited for {duration} seconds.");
                return new VibeSuccess(Message: $"Waited for {duration} seconds.");
            case "THOUGHT":
                var thought = action.Text("text")!;
                await Console.VibeAsync($"AI Thought: {thought}", usePanel: true, Log);
                await vibectl.UpdateMemoryAsync(commandMessage, $"AI Thought: {thought}", "", flags.ModelName);
                return new VibeSuccess(Message: $"Processed AI thought: {thought}");
            case "FEEDBACK":
                return await FeedbackAsync(action, commandMessage, flags);
            default:
                return await CommandAsync(action, mode, flags);
        }
    }

    /// <summary>vibe.py handle_vibe_request's FEEDBACK branch in AUTO (the confirmation is skipped).</summary>
    private async Task<VibeResult> FeedbackAsync(PlannerResponse action, string commandMessage, OutputFlags flags)
    {
        var message = action.Text("message") ?? "";
        var suggestion = action.Text("suggestion") ?? "";
        if (message.Length > 0)
        {
            await Console.VibeAsync(message, usePanel: true, Log);
        }

        if (suggestion.Length == 0)
        {
            await Log.WarningAsync("AI returned FEEDBACK with no suggestion.");
            await Console.WarningAsync("AI unable to provide a specific suggestion.");
            suggestion = "AI unable to provide a specific suggestion.";
        }

        await Console.ProposalAsync($"Suggested memory update: {suggestion}");
        await vibectl.UpdateMemoryAsync(commandMessage, message, suggestion, flags.ModelName);
        return new VibeSuccess(Message: $"Applied AI feedback: {suggestion}");
    }

    /// <summary>
    /// vibe.py _get_llm_plan: "Consulting {model} for a plan...", one LLM call with the planner's
    /// schema; an empty answer is a halting error, an invalid one a non-halting error (with a
    /// WARNING), a recoverable API error non-halting, any other failure halting, with memory updated.
    /// </summary>
    private async Task<(PlannerResponse? Plan, VibeError? Error)> GetPlanAsync(string modelName, string request, VibectlConfig config)
    {
        await Console.ProcessingAsync($"Consulting {modelName} for a plan...");
        string text;
        try
        {
            var call = new PlanningCall
            {
                Pod = Context.Pod.Name,
                ModelId = modelName,
                Memory = VibectlProcess.GetMemory(config) ?? "",
                MaxChars = VibectlProcess.MaxChars(config),
                CustomInstructions = config.Get("system.custom_instructions") as string,
                Steps = [.. vibectl.Steps],
                Request = request,
            };
            text = await vibectl.RunLlmAsync(modelName, call, schema: true, kind: "plan");
        }
        catch (PyError e) when (e.Type == "RecoverableApiError")
        {
            await Log.WarningWithTracebackAsync($"Recoverable API error during Vibe planning: {e.Str}", e);
            await Console.ErrorAsync($"API Error: {e.Str}");
            return (null, new VibeError(e.Str) { HaltAutoLoop = false });
        }
        catch (PyError e)
        {
            await vibectl.UpdateMemoryAsync("system", $"LLM planning error: {e.Str}", $"System Error: {e.Str}", modelName);
            await Console.ErrorAsync($"Error executing vibe request: {e.Str}");
            return (null, new VibeError(e.Str));
        }

        if (PyStr.Strip(text).Length == 0)
        {
            await vibectl.UpdateMemoryAsync("system", "LLM Error: Empty response.", "LLM Error: Empty response.", modelName);
            return (null, new VibeError("LLM returned an empty response."));
        }

        try
        {
            return (PlannerResponse.Validate(text), null);
        }
        catch (PyError e)
        {
            await Log.WarningAsync($"Failed to parse LLM response as JSON ({e.Type}). Response Text: {PyStr.Prefix(text, 500)}...");
            var error = $"Failed to parse LLM response as expected JSON: {e.Str}";
            await vibectl.UpdateMemoryAsync("system", error, $"System Error: Failed to parse LLM response: {PyStr.Prefix(text, 100)}... Check model or prompt.", modelName);
            return (null, new VibeError(error) { HaltAutoLoop = false });
        }
    }

    /// <summary>security/response_validation.py validate_action for AUTO mode: "safe", "confirm" or "reject", with the reason.</summary>
    private (string Outcome, string? Reason) Validate(PlannerResponse action, string mode)
    {
        if (action.ActionType != "COMMAND")
        {
            return ("safe", null);
        }

        var commands = action.Commands ?? [];
        if (commands.Count == 0)
        {
            return action.Text("yaml_manifest") is { Length: > 0 }
                ? ("confirm", "No command arguments provided - confirmation required.")
                : ("reject", "CommandAction without commands or manifest cannot be executed.");
        }

        var verb = PyStr.Strip(commands[0]).ToLowerInvariant();
        if (commands.Any(c => ChainTokens.Contains(c)))
        {
            return ("reject", "Command list contains standalone shell chain operators (e.g. '&&').");
        }

        if (commands.Any(c => ChainTokens.Any(t => c.Contains(t, StringComparison.Ordinal))))
        {
            return ("confirm", "Arguments contain shell metacharacters - confirmation required.");
        }

        if (IsReadOnly([verb, .. commands.Skip(1)]))
        {
            return ("safe", null);
        }

        var dangerous = commands.Any(c => DangerousFlagPrefixes.Any(p => c.StartsWith(p, StringComparison.Ordinal)));
        if (DestructiveVerbs.Contains(verb) && !dangerous)
        {
            return mode == "auto" ? ("safe", null) : ("confirm", "Destructive kubectl verb - confirmation required in this mode.");
        }

        return dangerous ? ("confirm", "Kubectl arguments include potentially destructive flags - confirmation required.") : ("safe", null);
    }

    /// <summary>k8s_utils.py is_kubectl_command_read_only (an "auth" verb other than can-i logs a WARNING and counts as read-only).</summary>
    private bool IsReadOnly(IReadOnlyList<string> parts)
    {
        if (parts.Count == 0)
        {
            return false;
        }

        var verb = parts[0].ToLowerInvariant();
        if (!ReadOnlyVerbs.Contains(verb))
        {
            return false;
        }

        if (verb == "auth" && !(parts.Count > 1 && parts[1].Equals("can-i", StringComparison.OrdinalIgnoreCase)))
        {
            Log.Warning($"Allowing 'auth' verb without 'can-i': {PyValue.Repr(parts.Cast<object?>().ToList())}. Review for safety.");
        }

        return true;
    }

    /// <summary>vibe.py handle_vibe_request's COMMAND branch and _confirm_and_execute_plan.</summary>
    private async Task<VibeResult> CommandAsync(PlannerResponse action, string mode, OutputFlags flags)
    {
        var commands = action.Commands ?? [];
        if (commands.Count == 0 || commands[0].Length == 0)
        {
            return new VibeError("LLM planning failed: Could not determine command verb.");
        }

        var verb = commands[0];
        var args = commands.Skip(1).ToList();
        var yaml = action.Text("yaml_manifest");
        var allowed = action.AllowedExitCodes is { Count: > 0 } codes ? codes : [0];
        if (verb == "port-forward")
        {
            Context.Pod.Programs.RecordGap("vibectl's port-forward live display is not modelled");
            return new VibeError("stand-in: port-forward is not modelled");
        }

        var hasYaml = yaml is not null && PyStr.Strip(yaml).Length > 0;
        var display = DisplayCommand(verb, args, hasYaml);
        var readOnly = IsReadOnly([verb, .. args]);
        if (!readOnly && mode != "auto")
        {
            if (await ConfirmAsync(display, action.Text("explanation")) is { } answer)
            {
                return answer;
            }
        }

        if (flags.ShowKubectl)
        {
            await Console.ProcessingAsync($"Running: {display}");
        }

        var result = await ExecuteAsync(verb, args, yaml, allowed);
        var commandOutput = result switch { VibeSuccess s => s.Data ?? "", VibeError e => e.Error, _ => "" };
        await vibectl.UpdateMemoryAsync($"command: {display} original: vibe", commandOutput, action.Text("explanation") ?? $"Executed: {display}", flags.ModelName);
        try
        {
            return await HandleCommandOutputAsync(result, flags, verb);
        }
        catch (PyError e) when (e.Type == "RecoverableApiError")
        {
            // vibe.py 489-505 at v0.11.6: "during command handling".
            await Log.WarningWithTracebackAsync($"Recoverable API error during command handling: {e.Str}", e);
            await Console.ErrorAsync($"API Error: {e.Str}");
            return new VibeError($"API Error: {e.Str}") { HaltAutoLoop = false };
        }
        catch (PyError e)
        {
            await vibectl.UpdateMemoryAsync("system", $"Error handling command output: {e.Str}", $"Error handling command output: {e.Str}", flags.ModelName);
            await Console.ErrorAsync($"Error handling command output: {e.Str}");
            return new VibeError($"Error handling command output: {e.Str}");
        }
    }

    /// <summary>command_handler.py _create_display_command and _quote_args (quotes only for a space, &lt;, &gt; or |).</summary>
    private static string DisplayCommand(string verb, IReadOnlyList<string> args, bool hasYaml)
    {
        var quoted = args.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Contains('<', StringComparison.Ordinal) || a.Contains('>', StringComparison.Ordinal)
            || a.Contains('|', StringComparison.Ordinal) ? $"\"{a}\"" : a).ToList();
        var command = quoted.Count > 0 ? $"kubectl {verb} {string.Join(' ', quoted)}" : $"kubectl {verb}";
        return hasYaml ? $"{command} (with YAML content)" : command;
    }

    /// <summary>
    /// vibe.py _handle_command_confirmation in MANUAL mode: the command and the choices on stdout,
    /// then click 8.2.1's prompt (termui.py prompt: <c>&gt;</c>, then input(" ")). End of input is
    /// click.Abort; an empty line means "n" (cancelled); a bad answer prints click's error and asks
    /// again. Returns null to run the command.
    /// </summary>
    private async Task<VibeResult?> ConfirmAsync(string display, string? explanation)
    {
        const string Options = "[Y]es, [N]o, yes [A]nd, no [B]ut, or [M]emory?";
        const string Suffix = " (y / n / a / b / m)";
        string[] choices = ["y", "n", "a", "b", "m"];
        if (explanation is { Length: > 0 })
        {
            await Console.NoteAsync($"AI Explanation: {explanation}");
        }

        await Console.PrintAsync(display);
        await Console.PrintAsync($"{Options}{Suffix}");
        while (true)
        {
            string choice;
            while (true)
            {
                await Context.Stdout.WriteAsync(">");
                await Context.Stdout.WriteAsync(" ");
                var line = await Context.Stdin.ReadLineAsync(Context.Dying) ?? throw new PyError("Abort", "");
                var value = line.Length == 0 ? "n" : line;
                if (choices.FirstOrDefault(c => string.Equals(c, value, StringComparison.OrdinalIgnoreCase)) is { } valid)
                {
                    choice = valid;
                    break;
                }

                await Context.Stdout.WriteAsync($"Error: {PyStr.Repr(value)} is not one of {string.Join(", ", choices.Select(PyStr.Repr))}.\n");
            }

            switch (choice)
            {
                case "m":
                    if (VibectlProcess.GetMemory(vibectl.Config()) is { Length: > 0 } memory)
                    {
                        await Console.SafePrintPanelAsync(memory, "Memory Content");
                    }
                    else
                    {
                        await Console.WarningAsync("Memory is empty. Use 'vibectl memory set' to add content.");
                    }

                    await Console.PrintAsync($"\n{Options}{Suffix}");
                    continue;
                case "n":
                    await Console.CancelledAsync();
                    return new VibeSuccess(Message: "Command execution cancelled by user");
                case "y":
                    return null;
                default:
                    Context.Pod.Programs.RecordGap($"the '{choice}' answer (a fuzzy memory update) at vibectl's confirmation is not modelled");
                    await Console.CancelledAsync();
                    return new VibeSuccess(Message: "Command execution cancelled by user");
            }
        }
    }

    /// <summary>
    /// command_handler.py _execute_command → k8s_utils.py run_kubectl: <c>kubectl ARGS</c> (core.kubeconfig
    /// unset: KUBECONFIG from the environment), both outputs stripped; an allowed exit code is
    /// Success with stdout, else create_kubectl_error("Command failed with exit code N: ...") —
    /// non-halting when the text has "error from server", "unknown command", "unknown flag",
    /// "invalid argument" or "is invalid:".
    /// </summary>
    private async Task<VibeResult> ExecuteAsync(string verb, IReadOnlyList<string> args, string? yaml, IReadOnlyList<int> allowed)
    {
        if (yaml is { Length: > 0 })
        {
            Context.Pod.Programs.RecordGap("vibectl running kubectl with a YAML manifest on stdin is not modelled");
            return new VibeError("stand-in: a YAML manifest is not modelled");
        }

        if (vibectl.Config().Get("core.kubeconfig") is { } kubeconfig && PyValue.Truthy(kubeconfig))
        {
            Context.Pod.Programs.RecordGap("vibectl with core.kubeconfig set is not modelled");
            return new VibeError("stand-in: core.kubeconfig is not modelled");
        }

        List<string> full = [verb, .. args];
        var run = await Context.Pod.Programs.Kubectl.RunAsync(Context, full, stdin: null);
        var stdout = PyStr.Strip(run.Stdout);
        var stderr = PyStr.Strip(run.Stderr);
        vibectl.Steps.Add(new AgentStep(full, run.ExitCode, stdout, stderr));
        Context.Pod.Programs.RecordKubectl(Context.Pod.Name, full, run.ExitCode);
        if (allowed.Contains(run.ExitCode))
        {
            return new VibeSuccess(Message: $"Command kubectl {string.Join(' ', full)} completed with exit code {run.ExitCode}.", Data: stdout) { OriginalExitCode = run.ExitCode };
        }

        var content = stderr.Length > 0 ? stderr : stdout.Length > 0 ? stdout : "Unknown error (no stdout/stderr)";
        var error = PyStr.Strip($"Command failed with exit code {run.ExitCode}: {content}");
        string[] recoverable = ["error from server", "unknown command", "unknown flag", "invalid argument", "is invalid:"];
        return new VibeError(error) { HaltAutoLoop = !recoverable.Any(p => error.ToLowerInvariant().Contains(p, StringComparison.Ordinal)) };
    }

    /// <summary>command_handler.py handle_command_output, with _vibe_recovery_result and _process_vibe_output.</summary>
    private async Task<VibeResult> HandleCommandOutputAsync(VibeResult output, OutputFlags flags, string command)
    {
        if (!flags.ShowRawOutput && !flags.ShowVibe && flags.WarnNoOutput)
        {
            await Log.WarningAsync("No output will be shown due to output flags.");
            await Console.NoOutputWarningAsync();
        }

        var error = output as VibeError;
        string outputData;
        if (error is not null)
        {
            await Console.ErrorAsync(error.Error);
            outputData = error.Error;
        }
        else
        {
            outputData = ((VibeSuccess)output).Data ?? "";
        }

        if (flags.ShowKubectl)
        {
            await Console.ProcessingAsync($"kubectl {command}");
        }

        if (flags.ShowRawOutput)
        {
            await Console.PrintRawAsync(outputData);
        }

        if (!flags.ShowVibe)
        {
            return (VibeResult?)error ?? new VibeSuccess(Message: outputData) { OriginalExitCode = output.OriginalExitCode };
        }

        try
        {
            return error is not null ? await RecoveryAsync(error, outputData, flags, command) : await SummaryAsync(outputData, flags, command, output.OriginalExitCode);
        }
        catch (PyError e) when (e.Type == "RecoverableApiError")
        {
            await Log.WarningWithTracebackAsync($"Recoverable API error during Vibe processing: {e.Str}", e);
            await Console.ErrorAsync($"API Error: {e.Str}");
            return new VibeError($"Recoverable API error during Vibe processing: {e.Str}") { HaltAutoLoop = false };
        }
        catch (PyError e)
        {
            await Console.ErrorAsync($"Error getting Vibe summary: {e.Str}");
            return new VibeError($"Error getting Vibe summary: {e.Str}");
        }
    }

    /// <summary>
    /// command_handler.py _vibe_recovery_result: recovery suggestions from the model, always shown in a
    /// ✨ Vibe panel; a successful call makes the error non-halting; memory updated.
    /// </summary>
    private async Task<VibeResult> RecoveryAsync(VibeError error, string outputData, OutputFlags flags, string command)
    {
        string text;
        var generated = true;
        try
        {
            var config = vibectl.Config();
            text = await vibectl.RunLlmAsync(flags.ModelName, new RecoveryCall
            {
                Pod = Context.Pod.Name,
                ModelId = flags.ModelName,
                Memory = VibectlProcess.GetMemory(config) ?? "",
                MaxChars = VibectlProcess.MaxChars(config),
                CustomInstructions = config.Get("system.custom_instructions") as string,
                Steps = [.. vibectl.Steps],
                FailedCommand = command,
                Error = outputData,
            }, schema: false, kind: "recovery");
        }
        catch (PyError e)
        {
            text = $"Failed to get recovery suggestions: {e.Str}";
            generated = false;
        }

        await Console.VibeAsync(text, usePanel: true, Log);
        error.RecoverySuggestions = text;
        if (generated)
        {
            error.HaltAutoLoop = false;
        }

        await vibectl.UpdateMemoryAsync(command, outputData, text, flags.ModelName);
        return error;
    }

    /// <summary>
    /// command_handler.py _process_vibe_output for a successful command: with show_streaming the
    /// summary is streamed (llm gets vibectl's key) and shown as a ✨ Vibe panel even when the stream
    /// failed; without, it is fetched (llm reads its key from the environment) and shown as a
    /// <c>✨ Vibe</c> line and the text with markup, unprotected. An answer starting "ERROR:" is a
    /// non-halting error. Memory is updated with the summary.
    /// </summary>
    private async Task<VibeResult> SummaryAsync(string outputData, OutputFlags flags, string command, int? exitCode)
    {
        try
        {
            await vibectl.GetModelAsync(flags.ModelName);
            var config = vibectl.Config();
            var call = new SummaryCall
            {
                Pod = Context.Pod.Name,
                ModelId = flags.ModelName,
                Memory = VibectlProcess.GetMemory(config) ?? "",
                MaxChars = VibectlProcess.MaxChars(config),
                CustomInstructions = config.Get("system.custom_instructions") as string,
                Steps = [.. vibectl.Steps],
                Command = command,
                Output = outputData,
            };
            string text;
            if (flags.ShowStreaming)
            {
                text = "";
                try
                {
                    text = await vibectl.StreamLlmAsync(flags.ModelName, call, "summary");
                }
                finally
                {
                    await Console.VibeAsync(text, usePanel: true, Log);
                }
            }
            else
            {
                text = await vibectl.RunLlmAsync(flags.ModelName, call, schema: false, kind: "summary");
                if (text.StartsWith("ERROR:", StringComparison.Ordinal))
                {
                    await Console.ErrorAsync(text);
                }
                else if (PyStr.Strip(text).Length > 0)
                {
                    try
                    {
                        await Console.VibeAsync(text, usePanel: false, Log);
                    }
                    catch (MarkupException e)
                    {
                        throw new PyError("MarkupError", e.Message);
                    }
                }
            }

            if (text.StartsWith("ERROR:", StringComparison.Ordinal))
            {
                await vibectl.UpdateMemoryAsync(command, outputData, text, flags.ModelName);
                return new VibeError(PyStr.Strip(text[Math.Min(7, text.Length)..])) { HaltAutoLoop = false };
            }

            await vibectl.UpdateMemoryAsync($"command: {command} output: {Truncate(outputData, 200)}", text.Length > 0 ? Truncate(text, 200) : "",
                text.Length > 0 ? Truncate(text, 200) : "", flags.ModelName);
            return new VibeSuccess(Message: text) { OriginalExitCode = exitCode };
        }
        catch (PyError e) when (e.Type == "RecoverableApiError")
        {
            await Log.WarningWithTracebackAsync($"Recoverable API error during Vibe processing: {e.Str}", e);
            await Console.ErrorAsync($"API Error: {e.Str}");
            return new VibeError($"Recoverable API error during Vibe processing: {e.Str}") { HaltAutoLoop = false };
        }
        catch (PyError e)
        {
            await Console.ErrorAsync($"Error getting Vibe summary: {e.Str}");
            return new VibeError($"Error getting Vibe summary: {e.Str}");
        }
    }

    /// <summary>truncation_logic.py truncate_string: the start and the end around "...".</summary>
    private static string Truncate(string text, int maxLength)
    {
        if (PyStr.Length(text) <= maxLength)
        {
            return text;
        }

        var points = PyStr.CodePoints(text);
        var remaining = maxLength - 3;
        var start = (remaining + 1) / 2;
        var end = remaining - start;
        return PyStr.FromCodePoints(points.Take(start)) + "..." + PyStr.FromCodePoints(points.Skip(points.Length - end));
    }
}
