using KafkaDemo.Messaging.Envelopes;

namespace KafkaDemo.UnitTests.Envelopes;

public sealed class HmacKeyTests
{
    [Fact]
    public void A_secret_shorter_than_16_bytes_is_refused_with_its_length()
    {
        var error = Assert.Throws<ArgumentException>(() => HmacKey.FromSecret("too-short"));
        Assert.Contains("at least 16 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("it has 9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_secret_gives_the_same_mac()
    {
        Span<byte> a = stackalloc byte[32];
        Span<byte> b = stackalloc byte[32];
        HmacKey.FromSecret("the-shared-secret-value").Compute("data"u8, a);
        HmacKey.FromSecret("the-shared-secret-value").Compute("data"u8, b);
        Assert.True(a.SequenceEqual(b));
    }

    [Fact]
    public void Reused_per_thread_state_gives_the_same_mac_as_a_fresh_key_on_every_call_and_thread()
    {
        using var key = HmacKey.FromSecret("kafkademo-test-vector-secret");
        var failures = 0;
        Parallel.For(0, 4, _ =>
        {
            Span<byte> mac = stackalloc byte[32];
            for (var i = 0; i < 200; i++)
            {
                key.Compute("KafkaDemo"u8, mac);
                if (Convert.ToHexStringLower(mac) != DocumentedVector.MacOfKafkaDemo)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });
        Assert.Equal(0, failures);
    }

    /// <summary>
    /// Known-answer test: the same vector is printed in docs/wire-format.md so that verifiers in
    /// other languages can check their key derivation and MAC. Computed with Python's hmac/hashlib.
    /// </summary>
    [Fact]
    public void Key_derivation_and_mac_match_the_documented_test_vector()
    {
        Span<byte> mac = stackalloc byte[32];
        HmacKey.FromSecret("kafkademo-test-vector-secret").Compute("KafkaDemo"u8, mac);
        Assert.Equal(DocumentedVector.MacOfKafkaDemo, Convert.ToHexStringLower(mac));
    }
}

public sealed class DocumentedEnvelopeTests
{
    private static readonly Messaging.Envelopes.HmacKey Key = Messaging.Envelopes.HmacKey.FromSecret(DocumentedVector.Secret);

    private static Messaging.Envelopes.EnvelopeFields Fields => new(
        DocumentedVector.ProducerId, DocumentedVector.Epoch, DocumentedVector.Sequence, DocumentedVector.Intended, DocumentedVector.Actual);

    [Fact]
    public void The_documented_version_2_envelope_verifies_where_it_was_signed_for()
    {
        var envelope = Convert.FromHexString(DocumentedVector.Envelope);

        var result = new Messaging.Envelopes.EnvelopeVerifier(Key).Verify(envelope, DocumentedVector.Topic, DocumentedVector.Partition, out var fields);

        Assert.Equal(Messaging.Envelopes.VerificationResult.Verified, result);
        Assert.Equal(Fields, fields);
    }

    [Theory]
    [InlineData("orders", 4)]
    [InlineData("clicks", 3)]
    [InlineData("orders2", 3)]
    public void The_documented_version_2_envelope_is_misplaced_anywhere_else(string topic, int partition)
    {
        var envelope = Convert.FromHexString(DocumentedVector.Envelope);

        var result = new Messaging.Envelopes.EnvelopeVerifier(Key).Verify(envelope, topic, partition, out var fields);

        Assert.Equal(Messaging.Envelopes.VerificationResult.Misplaced, result);
        Assert.Equal(default, fields);
    }

    [Theory]
    [InlineData("orders", 3)]
    [InlineData("anywhere", 17)]
    public void The_documented_version_1_envelope_still_verifies_in_any_partition(string topic, int partition)
    {
        var envelope = Convert.FromHexString(DocumentedVector.Version1Envelope);

        var result = new Messaging.Envelopes.EnvelopeVerifier(Key).Verify(envelope, topic, partition, out var fields);

        Assert.Equal(Messaging.Envelopes.VerificationResult.Verified, result);
        Assert.Equal(Fields, fields);
    }

    [Fact]
    public void Our_writer_produces_the_documented_envelope_byte_for_byte()
    {
        var buffer = new byte[107];
        new Messaging.Envelopes.EnvelopeWriter(Key).Write(buffer, Fields, DocumentedVector.Topic, DocumentedVector.Partition, [0, 1, 2, 3, 4, 5, 6, 7]);

        Assert.Equal(DocumentedVector.Envelope, Convert.ToHexStringLower(buffer));
    }
}
