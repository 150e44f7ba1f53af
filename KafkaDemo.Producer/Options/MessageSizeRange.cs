using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using KafkaDemo.Messaging.Envelopes;

namespace KafkaDemo.Producer.Options;

/// <summary>Message value size in bytes: fixed (<c>512</c>) or uniformly drawn from a range (<c>256-4096</c>).</summary>
public readonly record struct MessageSizeRange(int Min, int Max)
{
    /// <summary>Largest value size accepted: librdkafka's default message.max.bytes leaves room for this.</summary>
    public const int Largest = 1_000_000;

    public bool IsFixed => Min == Max;

    public static bool TryParse(string? text, [NotNullWhen(false)] out string? error, out MessageSizeRange range)
    {
        range = default;
        var parts = (text ?? "").Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length is < 1 or > 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            || !int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var max))
        {
            error = $"'{text}' is not a size: write a byte count ('512') or a range ('256-4096').";
            return false;
        }

        if (min < EnvelopeLayout.MinimumSize || max > Largest || min > max)
        {
            error = $"'{text}' is out of range: sizes run from {EnvelopeLayout.MinimumSize} bytes (an envelope without padding "
                + $"for a one-letter topic; {EnvelopeLayout.LocationOverhead} plus the topic name's length) to {Largest}, smallest first.";
            return false;
        }

        error = null;
        range = new MessageSizeRange(min, max);
        return true;
    }

    public override string ToString() => IsFixed
        ? Min.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Min}-{Max}");
}
