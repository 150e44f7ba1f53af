using System.Security.Cryptography;
using System.Text;
using KafkaDemo.Messaging.Measurement;
using KafkaDemo.Producer.Options;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Producer.Identity;

/// <summary>
/// Who this producer is: a stable id derived from the instance name (the same name gives the same
/// id across restarts) and an epoch, the process start in microseconds, which tells restarts apart.
/// </summary>
public sealed class ProducerIdentity
{
    public ProducerIdentity(IOptions<ProducerOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        InstanceId = options.Value.ResolvedInstanceId();
        ProducerId = IdFor(InstanceId);
        StartedAt = timeProvider.GetUtcNow();
        Epoch = UnixMicros.From(StartedAt);
    }

    public string InstanceId { get; }

    public Guid ProducerId { get; }

    public long Epoch { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>A version-8 (custom) UUID from the SHA-256 of the instance name.</summary>
    public static Guid IdFor(string instanceId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("KafkaDemo producer " + instanceId), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(hash[..16], bigEndian: true);
    }
}
