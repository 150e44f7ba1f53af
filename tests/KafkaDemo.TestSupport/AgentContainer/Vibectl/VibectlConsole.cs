namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// vibectl 0.11.6's console_manager (vibectl/console.py ConsoleManager): a Rich Console on stdout
/// and one on stderr (no terminal: no colour, wrapped at COLUMNS or 80), and its print methods, each
/// on the stream and with the prefix upstream uses. <c>safe_print</c> falls back to markup off on
/// a MarkupError; <c>print_vibe</c> does not use it.
/// </summary>
internal sealed class VibectlConsole(ProgramContext context, RichConsole rich)
{
    public RichConsole Rich => rich;

    /// <summary>console.py safe_print: print with markup, or again without on MarkupError.</summary>
    public Task SafePrintAsync(ProcessOutput output, string message, bool markup = true)
    {
        string text;
        try
        {
            text = rich.Print(message, markup);
        }
        catch (MarkupException)
        {
            text = rich.Print(message, markup: false);
        }

        return output.WriteAsync(text);
    }

    /// <summary>safe_print of a Panel(str, title=str) (memory show).</summary>
    public Task SafePrintPanelAsync(string content, string title)
    {
        string text;
        try
        {
            text = rich.PrintPanel(content, title, titleIsMarkup: true);
        }
        catch (MarkupException)
        {
            text = rich.PrintPanel(content, title, titleIsMarkup: true, markup: false);
        }

        return context.Stdout.WriteAsync(text);
    }

    /// <summary>print: stdout, markup on.</summary>
    public Task PrintAsync(string message) => SafePrintAsync(context.Stdout, message);

    /// <summary>print_raw: stdout, markup off (emoji codes are still replaced).</summary>
    public Task PrintRawAsync(string message) => SafePrintAsync(context.Stdout, message, markup: false);

    /// <summary>print_error: stderr <c>Error: {message}</c>.</summary>
    public Task ErrorAsync(string message) => SafePrintAsync(context.Stderr, $"Error: {message}");

    /// <summary>print_warning: stderr <c>Warning: {message}</c>.</summary>
    public Task WarningAsync(string message) => SafePrintAsync(context.Stderr, $"Warning: {message}");

    /// <summary>print_note: stderr <c>Note: {message}</c>.</summary>
    public Task NoteAsync(string message) => SafePrintAsync(context.Stderr, $"Note: {message}");

    /// <summary>print_success: stdout, as given.</summary>
    public Task SuccessAsync(string message) => SafePrintAsync(context.Stdout, message);

    /// <summary>print_processing: stdout <c>🔄 {message}</c>.</summary>
    public Task ProcessingAsync(string message) => SafePrintAsync(context.Stdout, $"🔄 {message}");

    /// <summary>print_proposal: stdout <c>💡 {message}</c>.</summary>
    public Task ProposalAsync(string message) => SafePrintAsync(context.Stdout, $"💡 {message}");

    /// <summary>print_missing_api_key_error (utils.py handle_exception's rewrite of every key error).</summary>
    public Task MissingApiKeyAsync() => ErrorAsync("Missing API key. Please set OPENAI_API_KEY environment variable.");

    /// <summary>print_cancelled.</summary>
    public Task CancelledAsync() => WarningAsync("Command cancelled");

    /// <summary>print_no_output_warning.</summary>
    public Task NoOutputWarningAsync() =>
        WarningAsync("No output will be displayed. Use --show-raw-output to see raw kubectl output or --show-vibe to see the vibe check summary.");

    /// <summary>
    /// console.py print_vibe (203-236). With a panel: <c>Panel(text, title=Text("✨ Vibe"), expand=False)</c>;
    /// any exception there logs a WARNING and falls back to the header line and the text without
    /// markup. Without: the header line, then the text with markup, unprotected (a MarkupError escapes).
    /// </summary>
    /// <exception cref="MarkupException">Without a panel, the text's markup is broken.</exception>
    public async Task VibeAsync(string text, bool usePanel, VibectlLog log)
    {
        if (usePanel)
        {
            string rendered;
            try
            {
                rendered = rich.PrintPanel(text, "✨ Vibe", titleIsMarkup: false);
            }
            catch (MarkupException e)
            {
                await log.WarningAsync($"Failed to print Vibe output with Rich Panel due to: {e.Message}. Falling back to plain text.");
                await context.Stdout.WriteAsync(rich.Print("[bold magenta]✨ Vibe[/bold magenta]"));
                await context.Stdout.WriteAsync(rich.Print(text, markup: false));
                return;
            }

            await context.Stdout.WriteAsync(rendered);
            return;
        }

        await context.Stdout.WriteAsync(rich.Print("[bold magenta]✨ Vibe[/bold magenta]"));
        await context.Stdout.WriteAsync(rich.Print(text));
    }
}

/// <summary>
/// vibectl's logger (vibectl/logutil.py init_logging): one StreamHandler on stderr with the format
/// <c>[%(levelname)s] %(message)s</c> that drops ERROR and above (not_error), at the level of
/// <c>VIBECTL_LOG_LEVEL</c> or config <c>system.log_level</c> (default WARNING). So every
/// <c>logger.warning</c> is a plain <c>[WARNING] ...</c> line, and errors are never shown. The
/// stand-in does not reproduce vibectl's INFO and DEBUG lines: a lower level is a stand-in gap.
/// </summary>
internal sealed class VibectlLog(ProgramContext context)
{
    private bool warningsShown = true;

    /// <summary>init_logging: the level from the environment or the config.</summary>
    public void Configure(string? level)
    {
        var name = (level ?? "INFO").ToUpperInvariant();
        switch (name)
        {
            case "WARNING" or "WARN":
                warningsShown = true;
                break;
            case "ERROR" or "CRITICAL" or "FATAL":
                warningsShown = false;
                break;
            default:
                // DEBUG, INFO and unknown names (getattr(logging, ..., logging.INFO)) would show INFO lines.
                context.Pod.Programs.RecordGap($"vibectl at log level {name}: its INFO and DEBUG lines are not modelled");
                warningsShown = true;
                break;
        }
    }

    /// <summary>logger.warning(message): <c>[WARNING] message</c>.</summary>
    public Task WarningAsync(string message) => warningsShown ? context.Stderr.WriteAsync($"[WARNING] {message}\n") : Task.CompletedTask;

    /// <summary>logger.warning(message) from synchronous code (the write is sent at once).</summary>
    public void Warning(string message) => WarningAsync(message).GetAwaiter().GetResult();

    /// <summary>
    /// logger.warning(message, exc_info=True): the line, then Python's traceback, whose frames the
    /// stand-in does not reproduce (it marks where they would be).
    /// </summary>
    public Task WarningWithTracebackAsync(string message, PyError error) =>
        warningsShown
            ? context.Stderr.WriteAsync($"[WARNING] {message}\nTraceback (most recent call last):\n  (frames of vibectl 0.11.6 not reproduced by the KafkaDemo stand-in)\n{error.Type}: {error.Str}\n")
            : Task.CompletedTask;
}
