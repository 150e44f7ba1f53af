using System.Buffers.Binary;
using System.Security.Cryptography;

namespace KafkaDemo.Messaging.Envelopes;

/// <summary>
/// Verifies envelopes (version 2, and version 1 for what older producers wrote) with a
/// constant-time MAC comparison and, for version 2, against where the record was found. Never
/// throws on bad input: every outcome is a <see cref="VerificationResult"/>. Allocation-free; thread-safe.
/// </summary>
public sealed class EnvelopeVerifier(HmacKey key)
{
    private readonly HmacKey _key = key ?? throw new ArgumentNullException(nameof(key));

    /// <summary>Verifies a record's value found in <paramref name="topic"/>/<paramref name="partition"/>.</summary>
    /// <param name="value">The record's value.</param>
    /// <param name="topic">The topic the record was read from.</param>
    /// <param name="partition">The partition the record was read from.</param>
    /// <param name="fields">The signed fields, when the result is <see cref="VerificationResult.Verified"/>.</param>
    public VerificationResult Verify(ReadOnlySpan<byte> value, string topic, int partition, out EnvelopeFields fields)
    {
        ArgumentNullException.ThrowIfNull(topic);
        fields = default;
        var shape = CheckShape(value);
        if (shape != VerificationResult.Verified)
        {
            return shape;
        }

        var macOffset = value.Length - EnvelopeLayout.MacSize;
        Span<byte> expected = stackalloc byte[EnvelopeLayout.MacSize];
        _key.Compute(value[..macOffset], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, value[macOffset..]))
        {
            return VerificationResult.BadMac;
        }

        if (value[EnvelopeLayout.VersionOffset] == EnvelopeLayout.Version && !SignedFor(value, topic, partition))
        {
            return VerificationResult.Misplaced;
        }

        fields = ReadFields(value);
        return VerificationResult.Verified;
    }

    /// <summary>Checks magic, version, flags and lengths without looking at the MAC.</summary>
    public static VerificationResult CheckShape(ReadOnlySpan<byte> value)
    {
        if (value.Length < EnvelopeLayout.VersionOffset + 1
            || BinaryPrimitives.ReadUInt16BigEndian(value) != EnvelopeLayout.Magic)
        {
            return VerificationResult.Malformed;
        }

        var version = value[EnvelopeLayout.VersionOffset];
        if (version is not (EnvelopeLayout.Version or EnvelopeLayout.Version1))
        {
            return VerificationResult.UnknownVersion;
        }

        var minimum = version == EnvelopeLayout.Version ? EnvelopeLayout.MinimumSize : EnvelopeLayout.Version1MinimumSize;
        if (value.Length < minimum || value.Length > EnvelopeLayout.MaximumSize || value[EnvelopeLayout.FlagsOffset] != 0)
        {
            return VerificationResult.Malformed;
        }

        var paddingLength = BinaryPrimitives.ReadUInt32BigEndian(value[EnvelopeLayout.PaddingLengthOffset..]);
        if (version == EnvelopeLayout.Version1)
        {
            return paddingLength == (uint)(value.Length - EnvelopeLayout.Version1MinimumSize)
                ? VerificationResult.Verified
                : VerificationResult.Malformed;
        }

        var topicLength = value[EnvelopeLayout.TopicLengthOffset];
        return topicLength is >= 1 and <= EnvelopeLayout.MaxTopicLength
            && BinaryPrimitives.ReadInt32BigEndian(value[EnvelopeLayout.PartitionOffset..]) >= 0
            && paddingLength == (uint)(value.Length - EnvelopeLayout.SizeFor(topicLength, 0))
                ? VerificationResult.Verified
                : VerificationResult.Malformed;
    }

    /// <summary>Reads the fields of an envelope whose shape was checked. Does not verify the MAC.</summary>
    public static EnvelopeFields ReadFields(ReadOnlySpan<byte> value) => new(
        new Guid(value.Slice(EnvelopeLayout.ProducerIdOffset, EnvelopeLayout.ProducerIdLength), bigEndian: true),
        BinaryPrimitives.ReadInt64BigEndian(value[EnvelopeLayout.EpochOffset..]),
        BinaryPrimitives.ReadInt64BigEndian(value[EnvelopeLayout.SequenceOffset..]),
        BinaryPrimitives.ReadInt64BigEndian(value[EnvelopeLayout.IntendedSendOffset..]),
        BinaryPrimitives.ReadInt64BigEndian(value[EnvelopeLayout.ActualSendOffset..]));

    /// <summary>Reads only the actual send time (same offset in every version); used by the producer's delivery handler on its own buffers.</summary>
    public static long ReadActualSendMicros(ReadOnlySpan<byte> value) =>
        BinaryPrimitives.ReadInt64BigEndian(value[EnvelopeLayout.ActualSendOffset..]);

    /// <summary>The topic and partition a version-2 envelope whose shape was checked was signed for.</summary>
    public static (string Topic, int Partition) ReadLocation(ReadOnlySpan<byte> value) => (
        System.Text.Encoding.ASCII.GetString(value.Slice(EnvelopeLayout.TopicOffset, value[EnvelopeLayout.TopicLengthOffset])),
        BinaryPrimitives.ReadInt32BigEndian(value[EnvelopeLayout.PartitionOffset..]));

    private static bool SignedFor(ReadOnlySpan<byte> value, string topic, int partition)
    {
        if (BinaryPrimitives.ReadInt32BigEndian(value[EnvelopeLayout.PartitionOffset..]) != partition
            || value[EnvelopeLayout.TopicLengthOffset] != topic.Length)
        {
            return false;
        }

        var signed = value.Slice(EnvelopeLayout.TopicOffset, topic.Length);
        for (var i = 0; i < signed.Length; i++)
        {
            if (signed[i] != topic[i])
            {
                return false;
            }
        }

        return true;
    }
}
