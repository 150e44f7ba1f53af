namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// <c>/usr/local/bin/kubectl</c> (v1.32.4 in the image) run directly in the pod: the real kubectl
/// binary on the test machine, as the pod's service account (<see cref="KubectlRunner"/>), its
/// output passed through. Reading stdin (<c>-f -</c>) is not modelled.
/// </summary>
internal sealed class KubectlProgram : IContainerProgram
{
    public string Path => "/usr/local/bin/kubectl";

    public async Task<int> RunAsync(ProgramContext context)
    {
        if (context.Arguments.Contains("-"))
        {
            return await context.NotModelledAsync("kubectl reading stdin", 1);
        }

        var result = await context.Pod.Programs.Kubectl.RunAsync(context, context.Arguments, stdin: null);
        await context.Stdout.WriteAsync(result.Stdout);
        await context.Stderr.WriteAsync(result.Stderr);
        return result.ExitCode;
    }
}
