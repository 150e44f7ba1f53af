namespace KafkaDemo.Messaging.Envelopes;

/// <summary>
/// Byte layout of version 1 of the signed message envelope. All integers are big-endian.
/// docs/wire-format.md is the normative description; this type mirrors it.
/// </summary>
public static class EnvelopeLayout
{
    /// <summary>The two magic bytes "KD" that open every envelope.</summary>
    public const ushort Magic = 0x4B44;

    /// <summary>The only version this code writes and verifies.</summary>
    public const byte Version = 1;

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

    /// <summary>Bytes before the padding.</summary>
    public const int HeaderSize = 56;

    /// <summary>HMAC-SHA256 output length.</summary>
    public const int MacSize = 32;

    /// <summary>The smallest possible envelope: header and MAC with no padding.</summary>
    public const int MinimumSize = HeaderSize + MacSize;

    /// <summary>The largest envelope this code writes or accepts (16 MiB).</summary>
    public const int MaximumSize = 16 * 1024 * 1024;

    /// <summary>Total envelope size for a given padding length.</summary>
    public static int SizeFor(int paddingLength) => HeaderSize + paddingLength + MacSize;
}
