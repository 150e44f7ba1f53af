namespace KafkaDemo.UnitTests.Envelopes;

/// <summary>
/// Test vectors published in docs/wire-format.md, computed by an independent Python implementation
/// (hmac/hashlib) of the documented key derivation and layout. Secret "kafkademo-test-vector-secret".
/// </summary>
internal static class DocumentedVector
{
    public const string Secret = "kafkademo-test-vector-secret";

    /// <summary>HMAC-SHA256(derived key, "KafkaDemo").</summary>
    public const string MacOfKafkaDemo = "ff2012ff9cb0b05bc13938eb2d9a5778c2e85f4fb9c8f523b604b3db44d8b9bb";

    /// <summary>
    /// A 96-byte envelope: producer 0190a7e4-5b6c-8d2e-9f10-112233445566, epoch 1795000000000000,
    /// sequence 42, intended 1795000000123456, actual 1795000000123789, padding 00 01 .. 07.
    /// </summary>
    public const string Envelope =
        "4b4401000190a7e45b6c8d2e9f101122334455660006608b015f3000000000000000002a0006608b016112400006608b0161138d"
        + "0000000800010203040506071a9152cfb205671306fd165589f0a3f33a766fc4962394a26533104f47576770";
}
