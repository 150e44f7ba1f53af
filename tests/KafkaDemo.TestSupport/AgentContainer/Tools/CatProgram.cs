using System.Text;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// coreutils 9.1 <c>cat FILE...</c> (src/cat.c): each file's bytes in turn on stdout, <c>-</c> or no
/// operand for stdin; a file it cannot read gives <c>cat: FILE: No such file or directory</c> (or
/// <c>Is a directory</c>) on stderr, the others are still printed, and the exit code is 1. Options
/// are not modelled.
/// </summary>
internal sealed class CatProgram : IContainerProgram
{
    public string Path => "/usr/bin/cat";

    public async Task<int> RunAsync(ProgramContext context)
    {
        var operands = context.Arguments.ToList();
        if (operands is ["--", ..])
        {
            operands.RemoveAt(0);
        }

        if (operands.FirstOrDefault(o => o.StartsWith('-') && o != "-") is { } option)
        {
            return await context.NotModelledAsync($"cat option {option}", 1);
        }

        if (operands.Count == 0)
        {
            operands.Add("-");
        }

        var status = 0;
        foreach (var operand in operands)
        {
            if (operand == "-")
            {
                await context.Stdout.WriteAsync(await context.Stdin.ReadToEndAsync(context.Dying));
                continue;
            }

            try
            {
                var bytes = context.Files.ReadAllBytes(ContainerFiles.Normalize(operand, context.WorkingDirectory));
                await context.Stdout.WriteAsync(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes));
            }
            catch (ContainerFileException e)
            {
                await context.Stderr.WriteAsync($"cat: {operand}: {e.Description}\n");
                status = 1;
            }
            catch (DecoderFallbackException)
            {
                return await context.NotModelledAsync($"cat of a file that is not UTF-8 ({operand})", 1);
            }
        }

        return status;
    }
}
