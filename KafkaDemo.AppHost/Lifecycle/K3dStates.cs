namespace KafkaDemo.AppHost.Lifecycle;

/// <summary>The states the k3d and kafka resources show in the dashboard while the cluster comes up.</summary>
public static class K3dStates
{
    public const string CheckingPrerequisites = "Checking prerequisites";
    public const string CreatingCluster = "Creating cluster";
    public const string StartingCluster = "Starting cluster";
    public const string ReusingCluster = "Reusing cluster";
    public const string DeletingCluster = "Deleting cluster";
    public const string Deleted = "Deleted";
    public const string InstallingStrimzi = "Installing Strimzi";
    public const string ApplyingKafka = "Applying Kafka";
    public const string WaitingForKafka = "Waiting for Kafka";
}
