namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>The record of one exec: what was asked for, over which protocol, and how it ended.</summary>
public sealed class ExecInvocation
{
    public required DateTimeOffset Time { get; init; }

    public required string Namespace { get; init; }

    public required string Pod { get; init; }

    public required string Container { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    public required bool Stdin { get; init; }

    public required bool Stdout { get; init; }

    public required bool Stderr { get; init; }

    public required bool Tty { get; init; }

    /// <summary>The negotiated subprotocol: <c>v5.channel.k8s.io</c> or <c>v4.channel.k8s.io</c>.</summary>
    public required string Protocol { get; init; }

    /// <summary>The handler's exit code, once it returned.</summary>
    public int? ExitCode { get; internal set; }

    /// <summary>Why it ended without an exit code: the handler threw, no handler was registered, or the client went away.</summary>
    public string? Failure { get; internal set; }

    /// <summary>Whether the client went away before the command finished.</summary>
    public bool ClientLeft { get; internal set; }

    /// <summary>Completes when the exec is over, whichever way it ended.</summary>
    public Task Completion => completion.Task;

    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal void Complete() => completion.TrySetResult();
}
