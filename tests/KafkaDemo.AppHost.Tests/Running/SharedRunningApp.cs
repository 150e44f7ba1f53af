namespace KafkaDemo.AppHost.Tests.Running;

/// <summary>Tests that share one running app: it starts once (about 30 s) and they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SharedRunningApp : ICollectionFixture<RunningApp>
{
    public const string Name = "running app";
}
