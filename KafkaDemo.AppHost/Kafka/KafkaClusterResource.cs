namespace KafkaDemo.AppHost.Kafka;

/// <summary>
/// The Kafka cluster the services use, in every mode: its connection string is the bootstrap
/// servers. Data only: each mode has its resource class (<see cref="EmbeddedKafkaResource"/>,
/// <see cref="ExternalKafkaResource"/>, K3dMode's K3dKafkaResource) and a lifecycle of its own. In
/// embedded and external mode the servers are known up front; in k3d mode they come from the Kafka
/// custom resource's status once Kafka is Ready, so services that wait for this resource read them then.
/// </summary>
public abstract class KafkaClusterResource(string name, string mode) : Resource(name), IResourceWithConnectionString, IResourceWithWaitSupport
{
    /// <summary>embedded, k3d or external.</summary>
    public string Mode => mode;

    public KafkaBootstrapServers BootstrapServers { get; } = new(name);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{BootstrapServers}");

    /// <summary>The key of this resource's health check (<see cref="KafkaHealthCheck"/>).</summary>
    public string HealthCheckKey => $"{Name}_check";
}

/// <summary>The bootstrap servers, as a value that becomes available when the cluster is up.</summary>
public sealed class KafkaBootstrapServers(string resourceName) : IValueProvider, IManifestExpressionProvider
{
    private TaskCompletionSource<string> _value = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string ValueExpression => $"{{{resourceName}.bootstrapServers}}";

    /// <summary>The current value, or null until the cluster is up.</summary>
    public string? Current => _value.Task.IsCompletedSuccessfully ? _value.Task.Result : null;

    /// <summary>Sets the value (again, after the cluster was recreated).</summary>
    public void Set(string bootstrapServers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        if (!_value.TrySetResult(bootstrapServers) && _value.Task.Result != bootstrapServers)
        {
            var next = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            next.SetResult(bootstrapServers);
            _value = next;
        }
    }

    public async ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) =>
        await _value.Task.WaitAsync(cancellationToken);
}
