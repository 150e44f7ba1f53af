using KafkaDemo.Messaging.Measurement;

namespace KafkaDemo.UnitTests.Measurement;

public sealed class HistogramMergeTests
{
    [Fact]
    public void Merged_encoded_histograms_equal_the_histogram_of_the_union_at_every_value()
    {
        var random = new Random(7);
        var parts = Enumerable.Range(0, 4).Select(_ => LatencyHistograms.Create()).ToArray();
        var union = LatencyHistograms.Create();
        for (var i = 0; i < 200_000; i++)
        {
            // Log-uniform over 1 µs .. 10 s, the range latency really spans.
            var value = (long)Math.Pow(10, random.NextDouble() * 7);
            parts[i % parts.Length].RecordValue(value);
            union.RecordValue(value);
        }

        var merged = LatencyHistograms.Create();
        foreach (var part in parts)
        {
            merged.Add(LatencyHistograms.Decode(LatencyHistograms.Encode(part)));
        }

        Assert.Equal(union.TotalCount, merged.TotalCount);
        foreach (var bucket in union.RecordedValues())
        {
            Assert.Equal(bucket.CountAtValueIteratedTo, merged.GetCountAtValue(bucket.ValueIteratedTo));
        }

        foreach (var percentile in new[] { 50.0, 90, 99, 99.9, 99.99, 100 })
        {
            Assert.Equal(union.GetValueAtPercentile(percentile), merged.GetValueAtPercentile(percentile));
        }
    }

    [Fact]
    public void Averaging_percentiles_would_be_wrong_which_is_why_we_merge()
    {
        // One fast instance and one whose slowest 5 % take 100 ms: 2.5 % of the union is slow, so its
        // p99 is 100 ms, while the mean of the two p99s is about 50 ms.
        var fast = LatencyHistograms.Create();
        var slow = LatencyHistograms.Create();
        for (var i = 0; i < 1000; i++)
        {
            fast.RecordValue(1_000);
            slow.RecordValue(i < 950 ? 1_000 : 100_000);
        }

        var merged = LatencyHistograms.Create();
        merged.Add(fast);
        merged.Add(slow);
        var averaged = (fast.GetValueAtPercentile(99) + slow.GetValueAtPercentile(99)) / 2;

        Assert.InRange(merged.GetValueAtPercentile(99), 99_000, 101_000);
        Assert.NotEqual(averaged, merged.GetValueAtPercentile(99));
    }

    [Fact]
    public void Text_that_is_not_a_histogram_is_a_format_error()
    {
        Assert.Throws<FormatException>(() => LatencyHistograms.Decode("not base64!"));
        Assert.Throws<FormatException>(() => LatencyHistograms.Decode(Convert.ToBase64String(new byte[40])));
    }

    [Fact]
    public void Summaries_are_in_milliseconds_and_out_of_range_values_are_clamped()
    {
        var histogram = LatencyHistograms.Create();
        histogram.RecordValue(LatencyHistograms.Clamp(-5));
        histogram.RecordValue(LatencyHistograms.Clamp(2_500));
        histogram.RecordValue(LatencyHistograms.Clamp(long.MaxValue));

        var summary = LatencyHistograms.Summarize(histogram);

        Assert.Equal(3, summary.Count);
        Assert.Equal(2.5, summary.P50, 2);
        Assert.InRange(summary.Max, 3_590_000, 3_610_000);
    }
}
