using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace KafkaDemo.AppHost.Tests.K3d;

// IInteractionService (Aspire 13.6.5) names experimental types in PromptProgressAsync and PromptTerminalAsync;
// a stand-in must implement both, and only refuses them.
#pragma warning disable ASPIREINTERACTION001, ASPIRETERMINAL001

/// <summary>
/// The dashboard's side of Aspire's interaction service, scripted: available, and each input prompt is
/// answered with the next of <see cref="Answers"/> (null: the user cancels). Only single-input prompts are
/// supported; anything else fails the test rather than answer something invented.
/// </summary>
internal sealed class ScriptedInteraction : IInteractionService
{
    public ConcurrentQueue<string?> Answers { get; } = new();

    /// <summary>Each input prompt: its title, its input's name and type.</summary>
    public ConcurrentQueue<(string Title, string Input, InputType Type)> Prompts { get; } = new();

    public bool IsAvailable => true;

    public Task<InteractionResult<InteractionInput>> PromptInputAsync(string title, string? message, InteractionInput input, InputsDialogInteractionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        Prompts.Enqueue((title, input.Name, input.InputType));
        if (!Answers.TryDequeue(out var answer))
        {
            throw new InvalidOperationException($"The prompt '{title}' came with no answer scripted.");
        }

        if (answer is null)
        {
            return Task.FromResult(InteractionResult.Cancel<InteractionInput>());
        }

        input.Value = answer;
        return Task.FromResult(InteractionResult.Ok(input));
    }

    public Task<InteractionResult<InteractionInput>> PromptInputAsync(string title, string? message, string inputLabel, string placeHolder, InputsDialogInteractionOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Only prompts with an InteractionInput are scripted.");

    public Task<InteractionResult<InteractionInputCollection>> PromptInputsAsync(string title, string? message, IReadOnlyList<InteractionInput> inputs, InputsDialogInteractionOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Only single-input prompts are scripted.");

    public Task<InteractionResult<bool>> PromptConfirmationAsync(string title, string message, MessageBoxInteractionOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Confirmations are not scripted.");

    public Task<InteractionResult<bool>> PromptMessageBoxAsync(string title, string message, MessageBoxInteractionOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Message boxes are not scripted.");

    public Task<InteractionResult<bool>> PromptNotificationAsync(string title, string message, NotificationInteractionOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(InteractionResult.Ok(true));

    public Task<InteractionResult<bool>> PromptProgressAsync(string message, ProgressInteractionOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Progress is not scripted.");

    public Task<InteractionResult<bool>> PromptTerminalAsync(string message, AspireTerminal terminal, TerminalInteractionOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Terminals are not scripted.");
}
