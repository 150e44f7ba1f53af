namespace KafkaDemo.AppHost.Settings;

/// <summary>Where Kafka comes from (<c>KafkaDemo:Mode</c>).</summary>
public enum DemoMode
{
    /// <summary>k3d where Docker and k3d work, otherwise embedded.</summary>
    Auto,

    /// <summary>librdkafka's mock cluster in a local process: the real protocol, no Docker, no agent.</summary>
    Embedded,

    /// <summary>A k3d cluster with Strimzi Kafka and the vibectl agent.</summary>
    K3d,

    /// <summary>An existing Kafka cluster given by <c>ConnectionStrings:kafka</c>.</summary>
    External,
}
