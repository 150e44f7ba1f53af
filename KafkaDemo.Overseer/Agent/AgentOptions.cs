using KafkaDemo.Messaging.Agent;
using KafkaDemo.Messaging.Limits;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Agent;

/// <summary><c>Overseer:Agent</c>: the vibectl agent's rounds. The AppHost enables it in k3d mode.</summary>
public sealed class AgentOptions
{
    public const string SectionName = "Overseer:Agent";

    public bool Enabled { get; set; }

    /// <summary>The model vibectl uses (llm's name), set with <c>vibectl config set llm.model</c>.</summary>
    public string Model { get; set; } = AgentDeployment.DefaultModel;

    /// <summary>Seconds between rounds (KafkaDemo:Agent:IntervalSeconds).</summary>
    public int IntervalSeconds { get; set; } = AgentLimits.DefaultIntervalSeconds;

    /// <summary>Seconds before the first round: the controller's measurements need a start.</summary>
    public int FirstRoundAfterSeconds { get; set; } = 90;

    /// <summary>A round that runs longer is stopped (inside the pod, by timeout) and recorded as timed out.</summary>
    public int RoundTimeoutSeconds { get; set; } = 600;

    /// <summary>vibectl auto's iterations per round (the seed's plan: 5).</summary>
    public int Limit { get; set; } = 5;

    /// <summary>vibectl's memory.max_chars, set at the agent's first round; the Overseer's block and the agent's notes share it.</summary>
    public int MemoryMaxChars { get; set; } = 2000;

    public string Namespace { get; set; } = AgentDeployment.Namespace;

    public string PodSelector { get; set; } = AgentDeployment.PodSelector;

    public string Container { get; set; } = AgentDeployment.Container;

    /// <summary>The pod template annotation the AppHost sets once the LLM key is in the agent's Secret.</summary>
    public string KeyAnnotation { get; set; } = AgentDeployment.KeyAnnotation;

    public string DeploymentName { get; set; } = AgentDeployment.DeploymentName;
}

/// <summary>Checks <see cref="AgentOptions"/> at start-up; every message names its key.</summary>
public sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = AgentOptions.SectionName;
        var failures = new List<string>();
        if (AgentLimits.IntervalProblem($"{S}:IntervalSeconds", options.IntervalSeconds) is { } interval)
        {
            failures.Add(interval);
        }

        if (options.FirstRoundAfterSeconds is < 0 or > 86_400)
        {
            failures.Add($"{S}:FirstRoundAfterSeconds must be from 0 to 86400; it is {options.FirstRoundAfterSeconds}.");
        }

        if (options.RoundTimeoutSeconds is < 5 or > 7200)
        {
            failures.Add($"{S}:RoundTimeoutSeconds must be from 5 to 7200; it is {options.RoundTimeoutSeconds}.");
        }

        if (options.Limit is < 1 or > 50)
        {
            failures.Add($"{S}:Limit must be from 1 to 50; it is {options.Limit}.");
        }

        if (options.MemoryMaxChars < AgentFeedback.MaxBlockChars || options.MemoryMaxChars > 20_000)
        {
            failures.Add($"{S}:MemoryMaxChars must be from {AgentFeedback.MaxBlockChars} (the Overseer's own block) to 20000; it is {options.MemoryMaxChars}.");
        }

        if (options.Enabled && string.IsNullOrWhiteSpace(options.Model))
        {
            failures.Add($"{S}:Model must name a model when the agent is enabled.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
