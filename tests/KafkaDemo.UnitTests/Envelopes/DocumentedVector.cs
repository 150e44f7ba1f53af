namespace KafkaDemo.UnitTests.Envelopes;

/// <summary>
/// Test vectors published in docs/wire-format.md, computed by an independent Python implementation
/// (hmac/hashlib/struct) of the documented key derivation and layouts. Secret "kafkademo-test-vector-secret".
/// </summary>
internal static class DocumentedVector
{
    public const string Secret = "kafkademo-test-vector-secret";

    /// <summary>HMAC-SHA256(derived key, "KafkaDemo").</summary>
    public const string MacOfKafkaDemo = "ff2012ff9cb0b05bc13938eb2d9a5778c2e85f4fb9c8f523b604b3db44d8b9bb";

    public static readonly Guid ProducerId = Guid.Parse("0190a7e4-5b6c-8d2e-9f10-112233445566");
    public const long Epoch = 1795000000000000;
    public const long Sequence = 42;
    public const long Intended = 1795000000123456;
    public const long Actual = 1795000000123789;
    public const string Topic = "orders";
    public const int Partition = 3;

    /// <summary>
    /// Version 2, 107 bytes: the fields above, signed for topic "orders", partition 3, padding 00 01 .. 07.
    /// </summary>
    public const string Envelope =
        "4b4402000190a7e45b6c8d2e9f101122334455660006608b015f3000000000000000002a0006608b016112400006608b0161138d"
        + "0000000800000003066f726465727300010203040506079d49944b21163053ff8e4f4b19e11426d01a6d5ad1d335e7e6f2f0c872412a87";

    /// <summary>Version 1, 96 bytes: the same fields, padding 00 01 .. 07 (no location).</summary>
    public const string Version1Envelope =
        "4b4401000190a7e45b6c8d2e9f101122334455660006608b015f3000000000000000002a0006608b016112400006608b0161138d"
        + "0000000800010203040506071a9152cfb205671306fd165589f0a3f33a766fc4962394a26533104f47576770";
}
