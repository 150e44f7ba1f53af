using System.Buffers.Binary;

namespace KafkaDemo.Messaging.Envelopes;

/// <summary>Writes and signs envelopes. Allocation-free; thread-safe.</summary>
public sealed class EnvelopeWriter(HmacKey key)
{
    private readonly HmacKey _key = key ?? throw new ArgumentNullException(nameof(key));

    /// <summary>
    /// Writes a complete envelope that fills <paramref name="destination"/> exactly: header,
    /// padding copied from <paramref name="padding"/> (repeated if shorter), then the MAC.
    /// </summary>
    public void Write(Span<byte> destination, in EnvelopeFields fields, ReadOnlySpan<byte> padding)
    {
        WriteHeader(destination, fields);
        FillPadding(destination.Slice(EnvelopeLayout.HeaderSize, destination.Length - EnvelopeLayout.MinimumSize), padding);
        Sign(destination);
    }

    /// <summary>
    /// Rewrites the actual send time of an envelope that was already written, and signs it again.
    /// Used when the Kafka client refused a message (queue full) and it is offered again later.
    /// </summary>
    public void Restamp(Span<byte> envelope, long actualSendMicros)
    {
        BinaryPrimitives.WriteInt64BigEndian(envelope[EnvelopeLayout.ActualSendOffset..], actualSendMicros);
        Sign(envelope);
    }

    /// <summary>Writes the header of an envelope whose total length is <c>destination.Length</c>.</summary>
    public static void WriteHeader(Span<byte> destination, in EnvelopeFields fields)
    {
        if (destination.Length is < EnvelopeLayout.MinimumSize or > EnvelopeLayout.MaximumSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(destination),
                destination.Length,
                $"An envelope is {EnvelopeLayout.MinimumSize} to {EnvelopeLayout.MaximumSize} bytes.");
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, EnvelopeLayout.Magic);
        destination[EnvelopeLayout.VersionOffset] = EnvelopeLayout.Version;
        destination[EnvelopeLayout.FlagsOffset] = 0;
        fields.ProducerId.TryWriteBytes(
            destination.Slice(EnvelopeLayout.ProducerIdOffset, EnvelopeLayout.ProducerIdLength),
            bigEndian: true,
            out _);
        BinaryPrimitives.WriteInt64BigEndian(destination[EnvelopeLayout.EpochOffset..], fields.Epoch);
        BinaryPrimitives.WriteInt64BigEndian(destination[EnvelopeLayout.SequenceOffset..], fields.Sequence);
        BinaryPrimitives.WriteInt64BigEndian(destination[EnvelopeLayout.IntendedSendOffset..], fields.IntendedSendMicros);
        BinaryPrimitives.WriteInt64BigEndian(destination[EnvelopeLayout.ActualSendOffset..], fields.ActualSendMicros);
        BinaryPrimitives.WriteUInt32BigEndian(
            destination[EnvelopeLayout.PaddingLengthOffset..],
            (uint)(destination.Length - EnvelopeLayout.MinimumSize));
    }

    private void Sign(Span<byte> envelope)
    {
        var macOffset = envelope.Length - EnvelopeLayout.MacSize;
        _key.Compute(envelope[..macOffset], envelope[macOffset..]);
    }

    private static void FillPadding(Span<byte> target, ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
        {
            target.Clear();
            return;
        }

        while (!target.IsEmpty)
        {
            var n = Math.Min(target.Length, source.Length);
            source[..n].CopyTo(target);
            target = target[n..];
        }
    }
}
