using HdrHistogram;
using HdrHistogram.Utilities;
using KafkaDemo.Messaging.Contracts;

namespace KafkaDemo.Messaging.Measurement;

/// <summary>
/// The one histogram shape used everywhere (microseconds, 1 µs to 1 hour, 3 significant digits),
/// and its portable encoding: HdrHistogram's compressed V2 format in base64, the same text a
/// HistogramLogWriter line carries, which every HdrHistogram implementation can decode and add.
/// </summary>
public static class LatencyHistograms
{
    public const long LowestMicros = 1;
    public const long HighestMicros = 3_600_000_000;
    public const int SignificantDigits = 3;

    /// <summary>Name of the encoding, as given in the stats documents.</summary>
    public const string EncodingName = "hdrhistogram-v2-compressed-base64";

    public static HistogramBase Create() => new LongHistogram(LowestMicros, HighestMicros, SignificantDigits);

    internal static Recorder CreateRecorder() => new(
        LowestMicros,
        HighestMicros,
        SignificantDigits,
        (id, lowest, highest, digits) => new LongConcurrentHistogram(id, lowest, highest, digits));

    /// <summary>Clamps a measurement into the trackable range (negative clock skew counts as 0 µs).</summary>
    public static long Clamp(long micros) => Math.Clamp(micros, 0, HighestMicros);

    public static string Encode(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        var buffer = ByteBuffer.Allocate(histogram.GetNeededByteBufferCapacity());
        var length = histogram.EncodeIntoCompressedByteBuffer(buffer);
        var bytes = new byte[length];
        buffer.Position = 0;
        for (var i = 0; i < length; i++)
        {
            bytes[i] = buffer.Get();
        }

        return Convert.ToBase64String(bytes);
    }

    /// <exception cref="FormatException">The text is not an encoded histogram.</exception>
    public static HistogramBase Decode(string encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        try
        {
            var histogram = HistogramEncoding.DecodeFromCompressedByteBuffer(
                ByteBuffer.Allocate(Convert.FromBase64String(encoded)),
                HighestMicros);
            return histogram;
        }
        catch (Exception ex) when (ex is not FormatException and not OutOfMemoryException)
        {
            throw new FormatException("The text is not an HdrHistogram V2 compressed histogram.", ex);
        }
    }

    /// <summary>Percentiles of a microsecond histogram, in milliseconds.</summary>
    public static LatencySummary Summarize(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (histogram.TotalCount == 0)
        {
            return LatencySummary.Empty;
        }

        return new LatencySummary(
            histogram.TotalCount,
            Math.Round(histogram.GetMean() / 1000.0, 3),
            Ms(histogram.GetValueAtPercentile(50)),
            Ms(histogram.GetValueAtPercentile(75)),
            Ms(histogram.GetValueAtPercentile(90)),
            Ms(histogram.GetValueAtPercentile(95)),
            Ms(histogram.GetValueAtPercentile(99)),
            Ms(histogram.GetValueAtPercentile(99.9)),
            Ms(histogram.GetValueAtPercentile(99.99)),
            Ms(histogram.GetMaxValue()));
    }

    private static double Ms(long micros) => micros / 1000.0;
}
