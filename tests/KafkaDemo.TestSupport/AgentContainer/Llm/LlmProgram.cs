namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// The <c>llm</c> command (llm 0.26 llm/cli.py) for what the Overseer and the tests run:
/// <c>llm models</c> and <c>llm models list</c> (models is a DefaultGroup whose default is list;
/// models_list 2148-2226 prints <c>str(model)</c> with <c>(aliases: ...)</c> for each model, then
/// <c>Default: ...</c>, on stdout, exit 0), and <c>llm --version</c> (<c>llm, version 0.26</c>).
/// A broken extra-openai-models.yaml breaks model loading: an uncaught exception, a traceback on
/// stderr, exit 1. Everything else llm can do is not modelled.
/// </summary>
internal sealed class LlmProgram : IContainerProgram
{
    public string Path => "/usr/local/bin/llm";

    public async Task<int> RunAsync(ProgramContext context)
    {
        switch (context.Arguments)
        {
            case ["--version"]:
                await context.Stdout.WriteAsync("llm, version 0.26\n");
                return 0;
            case ["models"] or ["models", "list"]:
                LlmCatalogue catalogue;
                try
                {
                    catalogue = LlmCatalogue.Load(context.Environment, context.Files, context.WorkingDirectory);
                }
                catch (PyError e)
                {
                    // Not caught by the CLI: Python prints the traceback and exits 1. Its frames are not reproduced.
                    await context.Stderr.WriteAsync(
                        $"Traceback (most recent call last):\n  (frames of llm 0.26 not reproduced by the KafkaDemo stand-in)\n{e.Type}: {e.Str}\n");
                    return 1;
                }

                var lines = catalogue.Models.Select(m => m.Aliases.Count == 0 ? m.ToString() : $"{m} (aliases: {string.Join(", ", m.Aliases)})");
                await context.Stdout.WriteAsync(string.Concat(lines.Select(l => l + "\n")) + $"Default: {catalogue.Default}\n");
                return 0;
            default:
                return await context.NotModelledAsync("this llm command", 2);
        }
    }
}
