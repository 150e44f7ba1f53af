using System.Buffers.Binary;
using System.Security.Cryptography;

namespace KafkaDemo.Messaging.Envelopes;

/// <summary>
/// Verifies envelopes with a constant-time MAC comparison. Never throws on bad input:
/// every outcome is a <see cref="VerificationResult"/>. Allocation-free; thread-safe.
/// </summary>
public sealed class EnvelopeVerifier(HmacKey key)
{
    private readonly HmacKey _key = key ?? throw new ArgumentNullException(nameof(key));

    public VerificationResult Verify(ReadOnlySpan<byte> value, out EnvelopeFields fields)
    {
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

        if (value[EnvelopeLayout.VersionOffset] != EnvelopeLayout.Version)
        {
            return VerificationResult.UnknownVersion;
        }

        if (value.Length is < EnvelopeLayout.MinimumSize or > EnvelopeLayout.MaximumSize
            || value[EnvelopeLayout.FlagsOffset] != 0)
        {
            return VerificationResult.Malformed;
        }

        var paddingLength = BinaryPrimitives.ReadUInt32BigEndian(value[EnvelopeLayout.PaddingLengthOffset..]);
        return paddingLength == (uint)(value.Length - EnvelopeLayout.MinimumSize)
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

    /// <summary>Reads only the actual send time; used by the producer's delivery handler on its own buffers.</summary>
    public static long ReadActualSendMicros(ReadOnlySpan<byte> value) =>
        BinaryPrimitives.ReadInt64BigEndian(value[EnvelopeLayout.ActualSendOffset..]);
}
