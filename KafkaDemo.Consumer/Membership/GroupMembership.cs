using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaDemo.Consumer.Membership;

/// <summary>
/// Which partitions the group gave this consumer. It is ready (healthy) once it has joined the
/// group, so that whatever waits for it (the producer, under the AppHost) starts only when every
/// message will be read.
/// </summary>
public sealed class GroupMembership : IHealthCheck
{
    private readonly Lock _gate = new();
    private readonly HashSet<TopicPartition> _assigned = [];
    private bool _joined;

    public int AssignedPartitions
    {
        get
        {
            lock (_gate)
            {
                return _assigned.Count;
            }
        }
    }

    public bool Joined
    {
        get
        {
            lock (_gate)
            {
                return _joined;
            }
        }
    }

    public void Assigned(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            _assigned.UnionWith(partitions);
            _joined = true;
        }
    }

    public void Revoked(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            _assigned.ExceptWith(partitions);
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_joined
                ? HealthCheckResult.Healthy($"In the group with {_assigned.Count} partition(s).")
                : HealthCheckResult.Unhealthy("Waiting for the consumer group to assign partitions."));
        }
    }
}
