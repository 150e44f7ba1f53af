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

    private static byte[] Signed(int size = 512)
    {
        var buffer = new byte[size];
        new EnvelopeWriter(Key).Write(buffer, Fields, "padding-pattern"u8);
        return buffer;
    }

    [Theory]
    [InlineData(EnvelopeLayout.MinimumSize)]
    [InlineData(512)]
    [InlineData(4096)]
    [InlineData(65536)]
    public void A_signed_envelope_verifies_and_returns_its_fields(int size)
    {
        var envelope = Signed(size);

        var result = new EnvelopeVerifier(Key).Verify(envelope, out var read);

        Assert.Equal(VerificationResult.Verified, result);
        Assert.Equal(Fields, read);
    }

    [Fact]
    public void The_layout_puts_every_field_at_its_documented_offset_in_big_endian()
    {
        var envelope = Signed();

        Assert.Equal(0x4B, envelope[0]);
        Assert.Equal(0x44, envelope[1]);
        Assert.Equal(1, envelope[2]);
        Assert.Equal(0, envelope[3]);
        Assert.Equal(Fields.ProducerId, new Guid(envelope.AsSpan(4, 16), bigEndian: true));
        Assert.Equal(Fields.Epoch, BinaryPrimitives.ReadInt64BigEndian(envelope.AsSpan(20)));
        Assert.Equal(Fields.Sequence, BinaryPrimitives.ReadInt64BigEndian(envelope.AsSpan(28)));
        Assert.Equal(Fields.IntendedSendMicros, BinaryPrimitives.ReadInt64BigEndian(envelope.AsSpan(36)));
        Assert.Equal(Fields.ActualSendMicros, BinaryPrimitives.ReadInt64BigEndian(envelope.AsSpan(44)));
        Assert.Equal(512u - 88u, BinaryPrimitives.ReadUInt32BigEndian(envelope.AsSpan(52)));
        Assert.Equal("padding-pattern"u8.ToArray(), envelope.AsSpan(56, 15).ToArray());
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
        { "padding (first byte)", 56, VerificationResult.BadMac },
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

        var result = new EnvelopeVerifier(Key).Verify(envelope, out var read);

        Assert.True(expected == result, $"Flipping a bit of the {field} gave {result}, expected {expected}.");
        Assert.Equal(default, read);
    }

    [Fact]
    public void Every_single_bit_flip_anywhere_fails_verification()
    {
        var original = Signed(EnvelopeLayout.MinimumSize + 8);
        var verifier = new EnvelopeVerifier(Key);
        for (var bit = 0; bit < original.Length * 8; bit++)
        {
            var copy = (byte[])original.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(VerificationResult.Verified, verifier.Verify(copy, out _));
        }
    }

    [Fact]
    public void An_envelope_signed_with_another_key_is_a_bad_mac()
    {
        var envelope = Signed();
        var otherKey = HmacKey.FromSecret("a-different-secret-9876543210");

        Assert.Equal(VerificationResult.BadMac, new EnvelopeVerifier(otherKey).Verify(envelope, out _));
    }

    [Fact]
    public void Truncated_or_extended_envelopes_are_malformed()
    {
        var envelope = Signed();
        var verifier = new EnvelopeVerifier(Key);

        Assert.Equal(VerificationResult.Malformed, verifier.Verify(envelope.AsSpan(0, 511), out _));
        Assert.Equal(VerificationResult.Malformed, verifier.Verify([.. envelope, 0], out _));
        Assert.Equal(VerificationResult.Malformed, verifier.Verify([], out _));
        Assert.Equal(VerificationResult.Malformed, verifier.Verify("KD"u8, out _));
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
            if (i % 3 == 0 && garbage.Length >= 3)
            {
                // Make a third of them look like envelopes so the deeper checks run too.
                garbage[0] = 0x4B;
                garbage[1] = 0x44;
                garbage[2] = EnvelopeLayout.Version;
            }

            Assert.NotEqual(VerificationResult.Verified, verifier.Verify(garbage, out _));
        }
    }

    [Fact]
    public void Restamping_changes_the_actual_send_time_and_keeps_the_envelope_valid()
    {
        var envelope = Signed();
        new EnvelopeWriter(Key).Restamp(envelope, 1_795_000_000_999_999);

        Assert.Equal(VerificationResult.Verified, new EnvelopeVerifier(Key).Verify(envelope, out var read));
        Assert.Equal(Fields with { ActualSendMicros = 1_795_000_000_999_999 }, read);
    }

    [Fact]
    public void Writing_into_a_buffer_of_an_impossible_size_is_refused()
    {
        var writer = new EnvelopeWriter(Key);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(new byte[EnvelopeLayout.MinimumSize - 1], Fields, []));
    }
}
