using System.ComponentModel;
using System.Text;
using CliWrap;
using CliWrap.Exceptions;

namespace KafkaDemo.AppHost.Tools;

/// <summary>
/// Runs tools with CliWrap: argument arrays, no standard input, the request's environment variables
/// over the inherited ones, output read line by line as the tool wrote it, killed on timeout.
/// </summary>
public sealed class CliProcessRunner : IProcessRunner
{
    public async Task<ProcessResult> RunAsync(ProcessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var output = new StringBuilder();
        var error = new StringBuilder();
        var onLine = request.OnLine ?? (_ => { });
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(request.Timeout);
        try
        {
            var result = await Cli.Wrap(request.Program)
                .WithArguments(request.Arguments)
                .WithEnvironmentVariables((request.Environment ?? new Dictionary<string, string>()).ToDictionary(e => e.Key, e => (string?)e.Value))
                .WithStandardInputPipe(PipeSource.Null)
                .WithStandardOutputPipe(PipeTarget.Merge(PipeTarget.ToStringBuilder(output), PipeTarget.ToDelegate(onLine)))
                .WithStandardErrorPipe(PipeTarget.Merge(PipeTarget.ToStringBuilder(error), PipeTarget.ToDelegate(onLine)))
                .WithValidation(CommandResultValidation.None)
                .ExecuteAsync(deadline.Token);
            return new ProcessResult(result.ExitCode, output.ToString(), error.ToString());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"'{request.CommandLine}' did not finish within {request.Timeout.TotalSeconds:F0} s and was stopped.");
        }
        catch (Exception ex) when (ex is Win32Exception || (ex is CliWrapException && ex.InnerException is Win32Exception))
        {
            throw new ToolNotFoundException(request.Program, ex);
        }
    }
}
