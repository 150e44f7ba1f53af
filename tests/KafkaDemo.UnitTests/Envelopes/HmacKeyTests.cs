using System.Security.Cryptography;
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

public sealed class KeyedSha256Tests
{
    private const string NoLibcrypto = "libcrypto (OpenSSL 1.1 or 3) with SHA256_Init/Update/Final is not loadable here; HmacKey uses .NET's HMAC instead.";

    [Fact]
    public void Keyed_states_give_the_same_mac_as_dotnet_hmac_for_every_length_across_the_block_boundaries()
    {
        Assert.SkipUnless(KeyedSha256.IsAvailable, NoLibcrypto);
        var random = new Random(18);
        var mac = new byte[32];
        foreach (var keyLength in (int[])[1, 16, 32, 63, 64])
        {
            var key = new byte[keyLength];
            random.NextBytes(key);
            using var keyed = KeyedSha256.TryCreate(key)!;
            foreach (var length in Enumerable.Range(0, 200).Concat([480, 4064, 65_504]))
            {
                var data = new byte[length];
                random.NextBytes(data);
                keyed.Compute(data, mac);
                Assert.Equal(Convert.ToHexString(HMACSHA256.HashData(key, data)), Convert.ToHexString(mac));
            }
        }
    }

    [Fact]
    public void Keyed_states_are_shared_by_threads_without_interfering()
    {
        Assert.SkipUnless(KeyedSha256.IsAvailable, NoLibcrypto);
        var key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        using var keyed = KeyedSha256.TryCreate(key)!;
        var failures = 0;
        Parallel.For(0, 4, t =>
        {
            var data = Enumerable.Repeat((byte)t, 100 + t).ToArray();
            var expected = HMACSHA256.HashData(key, data);
            Span<byte> mac = stackalloc byte[32];
            for (var i = 0; i < 2_000; i++)
            {
                keyed.Compute(data, mac);
                if (!mac.SequenceEqual(expected))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void A_mac_buffer_shorter_than_32_bytes_is_refused()
    {
        Assert.SkipUnless(KeyedSha256.IsAvailable, NoLibcrypto);
        using var keyed = KeyedSha256.TryCreate(new byte[32])!;
        Assert.Throws<ArgumentOutOfRangeException>(() => keyed.Compute("data"u8, new byte[31]));
    }

    [Fact]
    public void On_debian_the_envelope_key_uses_libcrypto()
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux() && File.Exists("/usr/lib/x86_64-linux-gnu/libcrypto.so.3"),
            "Not Linux x64 with Debian's libcrypto.so.3 (package libssl3), where the fast path is expected.");
        using var key = HmacKey.FromSecret("kafkademo-test-vector-secret");
        Assert.Equal("libcrypto SHA-256, keyed states", key.Implementation);
    }
}
