namespace KafkaDemo.AppHost.Agent;

/// <summary>The states the agent resource shows while it is deployed.</summary>
public static class AgentStates
{
    public const string Deploying = "Deploying";
    public const string NotConfigured = "Not configured";
    public const string WaitingForPod = "Waiting for agent pod";
}
