namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// vibectl 0.11.6's <c>config</c>, <c>memory</c> and <c>instructions</c> groups (cli.py 472-711,
/// 997-1128), with their streams, texts and exit codes: failures inside <c>try</c> go to
/// handle_exception and exit 0; <c>memory set</c> failures raise click.Abort and exit 1 with
/// "Error: Unknown error occurred"; a missing instructions text exits 1.
/// </summary>
internal static class VibectlCommands
{
    public static async Task ConfigAsync(VibectlProcess vibectl, IReadOnlyList<string> args)
    {
        var group = ClickCommand.Parse(args, [], [], isGroup: true);
        var (name, rest) = await SubcommandAsync(vibectl, "config", group, ["set", "show", "unset", "info"]);
        switch (name)
        {
            case "set":
            {
                var parsed = await ParseAsync(vibectl, rest, [new("key"), new("value")]);
                var key = (string)parsed.Arguments["key"]!;
                var value = (string)parsed.Arguments["value"]!;
                try
                {
                    // cli.py config_set: only ValueError is caught (to handle_exception, exit 0).
                    var config = vibectl.Config();
                    config.Set(key, value);
                    config.Save();
                    await vibectl.Console.SuccessAsync($"Configuration {key} set to {value}");
                }
                catch (PyError e) when (e.Is("ValueError"))
                {
                    await VibectlProgram.HandleExceptionAsync(vibectl, e);
                }

                break;
            }

            case "unset":
            {
                var key = (string)(await ParseAsync(vibectl, rest, [new("key")])).Arguments["key"]!;
                try
                {
                    vibectl.Config().Unset(key);
                    await vibectl.Console.SuccessAsync($"Configuration {key} reset to default");
                }
                catch (PyError e) when (e.Is("ValueError"))
                {
                    await VibectlProgram.HandleExceptionAsync(vibectl, e);
                }

                break;
            }

            case "show":
                await ConfigShowAsync(vibectl, (await ParseAsync(vibectl, rest, [new("section", Required: false)])).Arguments["section"] as string);
                break;
            default:
                await VibectlProgram.NotModelledAsync(vibectl, $"vibectl config {name}");
                break;
        }
    }

    /// <summary>
    /// cli.py show (501-574): <c>config show a.b</c> prints <c>a.b: {value}</c> (str of the value,
    /// through Rich); a section that is a scalar prints <c>section: value</c>; an unknown section is
    /// an error (exit 0). The Rich tables of a whole section or the whole config are not modelled.
    /// </summary>
    private static async Task ConfigShowAsync(VibectlProcess vibectl, string? section)
    {
        try
        {
            var config = vibectl.Config();
            var all = config.All;
            if (section is null)
            {
                await VibectlProgram.NotModelledAsync(vibectl, "vibectl config show (a Rich table)");
                return;
            }

            if (section.Contains('.', StringComparison.Ordinal))
            {
                await vibectl.Console.PrintAsync($"{section}: {PyValue.Str(config.Get(section))}");
                return;
            }

            if (!all.TryGetValue(section, out var data))
            {
                await vibectl.Console.ErrorAsync($"Section '{section}' not found. Available sections: {string.Join(", ", all.Keys)}");
                return;
            }

            if (data is PyDict)
            {
                await VibectlProgram.NotModelledAsync(vibectl, $"vibectl config show {section} (a Rich table)");
                return;
            }

            await vibectl.Console.PrintAsync($"{section}: {PyValue.Str(data)}");
        }
        catch (PyError e)
        {
            await VibectlProgram.HandleExceptionAsync(vibectl, e);
        }
    }

    public static async Task MemoryAsync(VibectlProcess vibectl, IReadOnlyList<string> args)
    {
        var group = ClickCommand.Parse(args, [], [], isGroup: true);
        var (name, rest) = await SubcommandAsync(vibectl, "memory", group, ["show", "set", "freeze", "unfreeze", "clear", "update"]);
        switch (name)
        {
            case "show":
                await ParseAsync(vibectl, rest, []);
                try
                {
                    // cli.py memory_show: safe_print(Panel(memory, title="Memory Content", expand=False)), or the warning.
                    if (VibectlProcess.GetMemory(vibectl.Config()) is { Length: > 0 } memory)
                    {
                        await vibectl.Console.SafePrintPanelAsync(memory, "Memory Content");
                    }
                    else
                    {
                        await vibectl.Console.WarningAsync("Memory is empty. Use 'vibectl memory set' to add content.");
                    }
                }
                catch (PyError e)
                {
                    await VibectlProgram.HandleExceptionAsync(vibectl, e);
                }

                break;
            case "set":
                await MemorySetAsync(vibectl, rest);
                break;
            case "clear" or "freeze" or "unfreeze":
                await ParseAsync(vibectl, rest, []);
                try
                {
                    // memory.py clear_memory, disable_memory, enable_memory.
                    var config = vibectl.Config();
                    config.Set(name == "clear" ? "memory_content" : "memory.enabled", name == "clear" ? "" : name == "unfreeze");
                    config.Save();
                    await vibectl.Console.SuccessAsync(name switch
                    {
                        "clear" => "Memory content cleared",
                        "freeze" => "Memory updates frozen (disabled)",
                        _ => "Memory updates unfrozen (enabled)",
                    });
                }
                catch (PyError e)
                {
                    await VibectlProgram.HandleExceptionAsync(vibectl, e);
                }

                break;
            default:
                await VibectlProgram.NotModelledAsync(vibectl, $"vibectl memory {name}");
                break;
        }
    }

    /// <summary>
    /// cli.py memory_set (1026-1073): the words joined with spaces, or without words stdin read to its
    /// end (blocking on an open, silent stdin); set_memory cuts at max_chars. A failure prints its
    /// error and raises click.Abort, which main() prints as "Error: Unknown error occurred", exit 1.
    /// </summary>
    private static async Task MemorySetAsync(VibectlProcess vibectl, IReadOnlyList<string> args)
    {
        var parsed = await ParseAsync(vibectl, args, [new("text", Variadic: true, Required: false)], [new ClickOption("edit", ["--edit", "-e"], ClickOptionKind.Flag)]);
        if (parsed.Flag("edit") == true)
        {
            await VibectlProgram.NotModelledAsync(vibectl, "vibectl memory set --edit");
        }

        var words = (List<string>)parsed.Arguments["text"]!;
        if (words.Count > 0)
        {
            try
            {
                VibectlProcess.SetMemory(vibectl.Config(), string.Join(' ', words));
                await vibectl.Console.SuccessAsync("Memory set");
                return;
            }
            catch (PyError e)
            {
                await vibectl.Console.ErrorAsync(e.Str);
                throw new PyError("Abort", "");
            }
        }

        var stdin = await vibectl.Context.Stdin.ReadToEndAsync(vibectl.Context.Dying);
        if (PyStr.Strip(stdin).Length > 0)
        {
            VibectlProcess.SetMemory(vibectl.Config(), stdin);
            await vibectl.Console.SuccessAsync("Memory set from stdin");
            return;
        }

        await vibectl.Console.ErrorAsync("No text provided. Use TEXT argument, --edit flag, or pipe input via stdin.");
        throw new PyError("Abort", "");
    }

    public static async Task InstructionsAsync(VibectlProcess vibectl, IReadOnlyList<string> args)
    {
        var group = ClickCommand.Parse(args, [], [], isGroup: true);
        var (name, rest) = await SubcommandAsync(vibectl, "instructions", group, ["set", "show", "clear"]);
        switch (name)
        {
            case "set":
            {
                // cli.py instructions_set (642-680): one optional argument; without it stdin, stripped; the
                // "no instructions" ValueError is raised outside the try (main prints it, exit 1).
                var parsed = await ParseAsync(vibectl, rest, [new("instructions_text", Required: false)], [new ClickOption("edit", ["--edit"], ClickOptionKind.Flag)]);
                if (parsed.Flag("edit") == true)
                {
                    await VibectlProgram.NotModelledAsync(vibectl, "vibectl instructions set --edit");
                }

                var config = vibectl.Config();
                var text = parsed.Arguments["instructions_text"] as string;
                if (string.IsNullOrEmpty(text))
                {
                    text = PyStr.Strip(await vibectl.Context.Stdin.ReadToEndAsync(vibectl.Context.Dying));
                    if (text.Length == 0)
                    {
                        throw PyError.ValueError("No instructions provided via stdin");
                    }
                }

                try
                {
                    config.Set("system.custom_instructions", text);
                    config.Save();
                    await vibectl.Console.SuccessAsync("Custom instructions set successfully.");
                }
                catch (PyError e)
                {
                    await VibectlProgram.HandleExceptionAsync(vibectl, e);
                }

                break;
            }

            case "show":
            {
                await ParseAsync(vibectl, rest, []);
                var config = vibectl.Config();
                if (config.Get("system.custom_instructions", "") is string { Length: > 0 } instructions)
                {
                    await vibectl.Console.NoteAsync("Custom instructions:");
                    await vibectl.Console.PrintAsync(instructions);
                }
                else
                {
                    await vibectl.Console.NoteAsync("No custom instructions set");
                }

                break;
            }

            default:
            {
                await ParseAsync(vibectl, rest, []);
                var config = vibectl.Config();
                try
                {
                    config.Set("system.custom_instructions", "");
                    config.Save();
                    await vibectl.Console.SuccessAsync("Custom instructions cleared.");
                }
                catch (PyError e)
                {
                    await VibectlProgram.HandleExceptionAsync(vibectl, e);
                }

                break;
            }
        }
    }

    /// <summary>A subgroup's subcommand: unknown is click's "No such command"; none at all shows help (not modelled).</summary>
    private static async Task<(string Name, IReadOnlyList<string> Words)> SubcommandAsync(VibectlProcess vibectl, string group, ClickParseResult parsed, string[] commands)
    {
        if (parsed.Help || parsed.Rest.Count == 0)
        {
            await VibectlProgram.NotModelledAsync(vibectl, $"vibectl {group} without a subcommand (click's help)");
        }

        var name = parsed.Rest[0];
        if (!commands.Contains(name))
        {
            throw new PyError("UsageError", $"No such command {PyStr.Repr(name)}.");
        }

        return (name, parsed.Rest.Skip(1).ToList());
    }

    private static async Task<ClickParseResult> ParseAsync(VibectlProcess vibectl, IReadOnlyList<string> args, ClickArgument[] arguments, ClickOption[]? options = null)
    {
        var parsed = ClickCommand.Parse(args, options ?? [], arguments, isGroup: false);
        if (parsed.Help)
        {
            await VibectlProgram.NotModelledAsync(vibectl, "--help");
        }

        return parsed;
    }
}
