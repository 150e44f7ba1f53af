namespace KafkaDemo.Messaging.Envelopes;

/// <summary>Outcome of verifying one Kafka message value.</summary>
public enum VerificationResult
{
    /// <summary>Well-formed, the MAC matches and (version 2) it is where it was written: the message is authentic.</summary>
    Verified = 0,

    /// <summary>Not an envelope: wrong magic, too short or too long, inconsistent lengths, or non-zero flags.</summary>
    Malformed = 1,

    /// <summary>An envelope of a version this code does not understand.</summary>
    UnknownVersion = 2,

    /// <summary>Well-formed, but the MAC does not match: tampered, or signed with another key.</summary>
    BadMac = 3,

    /// <summary>
    /// Authentic, but found in another topic or partition than the one it was signed for: a valid
    /// envelope copied there by someone with write access to the brokers. It would fill a real gap
    /// or make a false one in that partition's streams, so it is not counted as a message.
    /// </summary>
    Misplaced = 4,
}
