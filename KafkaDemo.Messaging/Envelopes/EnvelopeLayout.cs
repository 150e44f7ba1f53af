namespace KafkaDemo.Messaging.Envelopes;

/// <summary>
/// Byte layout of the signed message envelope. All integers are big-endian. docs/wire-format.md
/// is the normative description; this type mirrors it.
/// </summary>
/// <remarks>
/// <para>Version 2 (written) signs where the record belongs: after the 56-byte header come the
/// partition (int32), the topic's length (one byte) and the topic name, then the padding and the
/// MAC. A verifier compares them with where the record was found.</para>
/// <para>Version 1 (still verified) has the same first 56 bytes, then the padding and the MAC: its
/// MAC does not cover the topic or the partition.</para>
/// </remarks>
public static class EnvelopeLayout
{
    /// <summary>The two magic bytes "KD" that open every envelope.</summary>
    public const ushort Magic = 0x4B44;

    /// <summary>The version this code writes.</summary>
    public const byte Version = 2;

    /// <summary>The first version; still verified, never written.</summary>
    public const byte Version1 = 1;

    public const int MagicOffset = 0;
    public const int VersionOffset = 2;
    public const int FlagsOffset = 3;
    public const int ProducerIdOffset = 4;
    public const int ProducerIdLength = 16;
    public const int EpochOffset = 20;
    public const int SequenceOffset = 28;
    public const int IntendedSendOffset = 36;
    public const int ActualSendOffset = 44;
    public const int PaddingLengthOffset = 52;

    /// <summary>Bytes of the header every version shares.</summary>
    public const int HeaderSize = 56;

    /// <summary>Version 2: the partition the record was written to (int32).</summary>
    public const int PartitionOffset = 56;

    /// <summary>Version 2: length of the topic name in bytes (1 to <see cref="MaxTopicLength"/>).</summary>
    public const int TopicLengthOffset = 60;

    /// <summary>Version 2: the topic name (ASCII), followed by the padding.</summary>
    public const int TopicOffset = 61;

    /// <summary>Kafka's limit on a topic name's length.</summary>
    public const int MaxTopicLength = 249;

    /// <summary>HMAC-SHA256 output length.</summary>
    public const int MacSize = 32;

    /// <summary>Version 1: header and MAC, no padding (88 bytes).</summary>
    public const int Version1MinimumSize = HeaderSize + MacSize;

    /// <summary>Version 2: header, location and MAC for a topic name of <c>T</c> bytes, without padding: 93 + T.</summary>
    public const int LocationOverhead = TopicOffset + MacSize;

    /// <summary>The smallest possible envelope: version 2 with a one-letter topic and no padding (94 bytes).</summary>
    public const int MinimumSize = LocationOverhead + 1;

    /// <summary>The largest envelope this code writes or accepts (16 MiB).</summary>
    public const int MaximumSize = 16 * 1024 * 1024;

    /// <summary>Total version-2 envelope size for a topic name of <paramref name="topicLength"/> bytes and <paramref name="paddingLength"/> bytes of padding.</summary>
    public static int SizeFor(int topicLength, int paddingLength) => LocationOverhead + topicLength + paddingLength;
}
