namespace KafkaDemo.AppHost.ExistingCluster;

/// <summary>The states the existing cluster and its Kafka show in the dashboard while they are checked.</summary>
public static class ExistingClusterStates
{
    public const string CheckingCluster = "Checking cluster";
    public const string ReadingKafka = "Reading Kafka";
}
