namespace KafkaDemo.Messaging.Envelopes;

/// <summary>Outcome of verifying one Kafka message value.</summary>
public enum VerificationResult
{
    /// <summary>Well-formed and the MAC matches: the message is authentic.</summary>
    Verified = 0,

    /// <summary>Not an envelope: wrong magic, too short or too long, inconsistent length, or non-zero flags.</summary>
    Malformed = 1,

    /// <summary>An envelope of a version this code does not understand.</summary>
    UnknownVersion = 2,

    /// <summary>Well-formed, but the MAC does not match: tampered, or signed with another key.</summary>
    BadMac = 3,
}
