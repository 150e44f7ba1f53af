using System.Buffers.Binary;
using KafkaDemo.Messaging.Envelopes;

namespace KafkaDemo.UnitTests.Envelopes;

public sealed class EnvelopeTests
{
    private static readonly HmacKey Key = HmacKey.FromSecret("unit-test-secret-0123456789");
    private static readonly EnvelopeFields Fields = new(
        Guid.Parse("0190a7e4-5b6c-8d2e-9f10-112233445566"),
        Epoch: 1_795_000_000_000_000,
        Sequence: 42,
        IntendedSendMicros: 1_795_000_000_123_456,
        ActualSendMicros: 1_795_000_000_123_789);

    private const string Topic = "orders";
    private const int Partition = 3;

    private static byte[] Signed(int size = 512)
    {
        var buffer = new byte[size];
        new EnvelopeWriter(Key).Write(buffer, Fields, Topic, Partition, "padding-pattern"u8);
        return buffer;
    }

    [Theory]
    [InlineData(512)]
    [InlineData(4096)]
    public void Writing_over_the_padding_of_an_earlier_envelope_gives_what_a_full_write_gives(int size)
    {
        var writer = new EnvelopeWriter(Key);
        var padding = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        var reused = new byte[size];
        writer.Write(reused, Fields, Topic, Partition, padding);
        var next = Fields with { Sequence = 43, ActualSendMicros = Fields.ActualSendMicros + 20 };

        // Another partition and a topic name of the same length: only the header and the MAC change.
        writer.WriteOverPadding(reused, next, "clicks", 5);

        var fresh = new byte[size];
        writer.Write(fresh, next, "clicks", 5, padding);
        Assert.Equal(Convert.ToHexString(fresh), Convert.ToHexString(reused));
        Assert.Equal(VerificationResult.Verified, new EnvelopeVerifier(Key).Verify(reused, "clicks", 5, out var fields));
        Assert.Equal(next, fields);
    }

    /// <summary>A version-1 envelope built from the documented layout: header, padding, MAC; no location.</summary>
    private static byte[] Version1(int paddingLength)
    {
        var envelope = new byte[EnvelopeLayout.Version1MinimumSize + paddingLength];
        BinaryPrimitives.WriteUInt16BigEndian(envelope, 0x4B44);
        envelope[2] = 1;
        Fields.ProducerId.TryWriteBytes(envelope.AsSpan(4, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(envelope.AsSpan(20), Fields.Epoch);
        BinaryPrimitives.WriteInt64BigEndian(envelope.AsSpan(28), Fields.Sequence);
        BinaryPrimitives.WriteInt64BigEndian(envelope.AsSpan(36), Fields.IntendedSendMicros);
        BinaryPrimitives.WriteInt64BigEndian(envelope.AsSpan(44), Fields.ActualSendMicros);
        BinaryPrimitives.WriteUInt32BigEndian(envelope.AsSpan(52), (uint)paddingLength);
        Key.Compute(envelope.AsSpan(0, envelope.Length - 32), envelope.AsSpan(envelope.Length - 32));
        return envelope;
    }

    [Theory]
    [InlineData(EnvelopeLayout.LocationOverhead + 6)] // "orders", no padding
    [InlineData(512)]
    [InlineData(4096)]
    [InlineData(65536)]
    public void A_signed_envelope_verifies_where_it_was_written_and_returns_its_fields(int size)
    {
        var envelope = Signed(size);

        var result = new EnvelopeVerifier(Key).Verify(envelope, Topic, Partition, out var read);

        Assert.Equal(VerificationResult.Verified, result);
        Assert.Equal(Fields, read);
    }

    [Fact]
    public void The_layout_puts_every_field_at_its_documented_offset_in_big_endian()
    {
        var envelope = Signed();

        Assert.Equal(0x4B, envelope[0]);
        Assert.Equal(0x44, envelope[1]);
        Assert.Equal(2, envelope[2]);
        Assert.Equal(0, envelope[3]);
        Assert.Equal(Fields.ProducerId, new Guid(envelope.AsSpan(4, 16), bigEndian: true));
        Assert.Equal(Fields.Epoch, BinaryPrimitives.ReadInt64BigEndian(envelope.AsSpan(20)));
        Assert.Equal(Fields.Sequence, BinaryPrimitives.ReadInt64BigEndian(envelope.AsSpan(28)));
        Assert.Equal(Fields.IntendedSendMicros, BinaryPrimitives.ReadInt64BigEndian(envelope.AsSpan(36)));
        Assert.Equal(Fields.ActualSendMicros, BinaryPrimitives.ReadInt64BigEndian(envelope.AsSpan(44)));
        Assert.Equal(512u - 93u - 6u, BinaryPrimitives.ReadUInt32BigEndian(envelope.AsSpan(52)));
        Assert.Equal(Partition, BinaryPrimitives.ReadInt32BigEndian(envelope.AsSpan(56)));
        Assert.Equal(6, envelope[60]);
        Assert.Equal("orders"u8.ToArray(), envelope.AsSpan(61, 6).ToArray());
        Assert.Equal("padding-pattern"u8.ToArray(), envelope.AsSpan(67, 15).ToArray());
        Assert.Equal((Topic, Partition), EnvelopeVerifier.ReadLocation(envelope));
    }

    public static TheoryData<string, int, VerificationResult> Regions => new()
    {
        { "magic", 0, VerificationResult.Malformed },
        { "magic (second byte)", 1, VerificationResult.Malformed },
        { "version", 2, VerificationResult.UnknownVersion },
        { "flags", 3, VerificationResult.Malformed },
        { "producer id", 4, VerificationResult.BadMac },
        { "producer id (last byte)", 19, VerificationResult.BadMac },
        { "epoch", 20, VerificationResult.BadMac },
        { "sequence", 28, VerificationResult.BadMac },
        { "sequence (low byte)", 35, VerificationResult.BadMac },
        { "intended send time", 36, VerificationResult.BadMac },
        { "actual send time", 44, VerificationResult.BadMac },
        { "padding length", 52, VerificationResult.Malformed },
        { "padding length (low byte)", 55, VerificationResult.Malformed },
        { "partition", 56, VerificationResult.BadMac },
        { "partition (low byte)", 59, VerificationResult.BadMac },
        { "topic length", 60, VerificationResult.Malformed },
        { "topic (first byte)", 61, VerificationResult.BadMac },
        { "topic (last byte)", 66, VerificationResult.BadMac },
        { "padding (first byte)", 67, VerificationResult.BadMac },
        { "padding (last byte)", 479, VerificationResult.BadMac },
        { "mac (first byte)", 480, VerificationResult.BadMac },
        { "mac (last byte)", 511, VerificationResult.BadMac },
    };

    [Theory]
    [MemberData(nameof(Regions))]
    public void Tampering_with_any_field_is_detected(string field, int offset, VerificationResult expected)
    {
        var envelope = Signed();
        envelope[offset] ^= 0x01;

        var result = new EnvelopeVerifier(Key).Verify(envelope, Topic, Partition, out var read);

        Assert.True(expected == result, $"Flipping a bit of the {field} gave {result}, expected {expected}.");
        Assert.Equal(default, read);
    }

    [Fact]
    public void Every_single_bit_flip_anywhere_fails_verification()
    {
        var verifier = new EnvelopeVerifier(Key);
        foreach (var original in new[] { Signed(EnvelopeLayout.SizeFor(Topic.Length, 8)), Version1(8) })
        {
            for (var bit = 0; bit < original.Length * 8; bit++)
            {
                var copy = (byte[])original.Clone();
                copy[bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.NotEqual(VerificationResult.Verified, verifier.Verify(copy, Topic, Partition, out _));
            }
        }
    }

    [Theory]
    [InlineData("orders", 4)]
    [InlineData("orders", 0)]
    [InlineData("clicks", 3)]
    [InlineData("order", 3)]
    [InlineData("orders-eu", 3)]
    public void An_authentic_envelope_found_in_another_topic_or_partition_is_misplaced(string topic, int partition)
    {
        var envelope = Signed();

        var result = new EnvelopeVerifier(Key).Verify(envelope, topic, partition, out var read);

        Assert.Equal(VerificationResult.Misplaced, result);
        Assert.Equal(default, read);
    }

    [Fact]
    public void A_version_1_envelope_still_verifies_wherever_it_is_found()
    {
        var verifier = new EnvelopeVerifier(Key);
        foreach (var padding in new[] { 0, 8, 424 })
        {
            var envelope = Version1(padding);
            Assert.Equal(VerificationResult.Verified, verifier.Verify(envelope, Topic, Partition, out var read));
            Assert.Equal(Fields, read);
            Assert.Equal(VerificationResult.Verified, verifier.Verify(envelope, "clicks", 9, out _));
        }
    }

    [Fact]
    public void A_version_1_envelope_relabelled_as_version_2_does_not_verify()
    {
        var envelope = Version1(424);
        envelope[2] = 2;

        Assert.NotEqual(VerificationResult.Verified, new EnvelopeVerifier(Key).Verify(envelope, Topic, Partition, out _));
    }

    [Fact]
    public void An_envelope_signed_with_another_key_is_a_bad_mac()
    {
        var envelope = Signed();
        var otherKey = HmacKey.FromSecret("a-different-secret-9876543210");

        Assert.Equal(VerificationResult.BadMac, new EnvelopeVerifier(otherKey).Verify(envelope, Topic, Partition, out _));
    }

    [Fact]
    public void Truncated_or_extended_envelopes_are_malformed()
    {
        var envelope = Signed();
        var verifier = new EnvelopeVerifier(Key);

        Assert.Equal(VerificationResult.Malformed, verifier.Verify(envelope.AsSpan(0, 511), Topic, Partition, out _));
        Assert.Equal(VerificationResult.Malformed, verifier.Verify([.. envelope, 0], Topic, Partition, out _));
        Assert.Equal(VerificationResult.Malformed, verifier.Verify([], Topic, Partition, out _));
        Assert.Equal(VerificationResult.Malformed, verifier.Verify("KD"u8, Topic, Partition, out _));
        Assert.Equal(VerificationResult.Malformed, verifier.Verify(envelope.AsSpan(0, EnvelopeLayout.MinimumSize - 1), Topic, Partition, out _));
    }

    [Fact]
    public void Random_garbage_never_throws_and_never_verifies()
    {
        var random = new Random(1234);
        var verifier = new EnvelopeVerifier(Key);
        for (var i = 0; i < 5000; i++)
        {
            var garbage = new byte[random.Next(0, 700)];
            random.NextBytes(garbage);
            if (i % 3 != 2 && garbage.Length >= 4)
            {
                // Make two thirds of them look like envelopes of either version so the deeper checks run too.
                garbage[0] = 0x4B;
                garbage[1] = 0x44;
                garbage[2] = i % 3 == 0 ? EnvelopeLayout.Version : EnvelopeLayout.Version1;
                garbage[3] = 0;
            }

            Assert.NotEqual(VerificationResult.Verified, verifier.Verify(garbage, Topic, Partition, out _));
        }
    }

    [Fact]
    public void Restamping_changes_the_actual_send_time_and_keeps_the_envelope_valid()
    {
        var envelope = Signed();
        new EnvelopeWriter(Key).Restamp(envelope, 1_795_000_000_999_999);

        Assert.Equal(VerificationResult.Verified, new EnvelopeVerifier(Key).Verify(envelope, Topic, Partition, out var read));
        Assert.Equal(Fields with { ActualSendMicros = 1_795_000_000_999_999 }, read);
    }

    [Fact]
    public void Writing_into_a_buffer_of_an_impossible_size_is_refused()
    {
        var writer = new EnvelopeWriter(Key);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(new byte[EnvelopeLayout.SizeFor(Topic.Length, 0) - 1], Fields, Topic, Partition, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(new byte[512], Fields, "", Partition, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(new byte[512], Fields, new string('t', 250), Partition, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(new byte[512], Fields, "tópic", Partition, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(new byte[512], Fields, Topic, -1, []));
    }
}
