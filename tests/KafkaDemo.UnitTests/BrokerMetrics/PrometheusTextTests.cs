extern alias overseer;

using KafkaDemo.TestSupport.BrokerMetrics;
using overseer::KafkaDemo.Overseer.BrokerMetrics;

namespace KafkaDemo.UnitTests.BrokerMetrics;

/// <summary>The Prometheus text format as the brokers' JMX exporter writes it, and as Prometheus reads it.</summary>
public sealed class PrometheusTextTests
{
    [Fact]
    public void The_exporters_answer_parses_with_its_help_types_labels_and_values()
    {
        var scrape = PrometheusText.Parse(JmxExporterText.Render(new BrokerJmxValues(0.8734210981, 0.9312, 3, 12.5, 1)));

        var idle = scrape.Families["kafka_server_request_handler_avg_idle_ratio"];
        Assert.Equal("gauge", idle.Type);
        Assert.Equal("Attribute exposed for management kafka.server:name=RequestHandlerAvgIdlePercent,type=KafkaRequestHandlerPool,attribute=OneMinuteRate", idle.Help);
        Assert.Equal("counter", scrape.Families["process_cpu_seconds_total"].Type);
        Assert.Equal("summary", scrape.Families["jvm_gc_collection_seconds"].Type);
        Assert.Equal(0.8734210981, Assert.Single(scrape.Named("kafka_server_request_handler_avg_idle_ratio")).Value);
        Assert.Equal(3, Assert.Single(scrape.Named("kafka_network_request_queue_size")).Value);
        Assert.Equal(57, scrape.Named("jvm_gc_collection_seconds_count").Single(s => s.Label("gc") == "G1 Young Generation").Value);
        Assert.Equal(314_570_720, scrape.Named("jvm_memory_used_bytes").Single(s => s.Label("area") == "heap").Value);
        Assert.Equal("21.0.9+10-LTS", Assert.Single(scrape.Named("jvm_runtime_info")).Label("version"));

        // A label value with spaces, commas, '=' and angle brackets: the exporter's _objectname.
        var produce = scrape.Named("kafka_network_requests_per_sec").Where(s => s.Label("request") == "Produce").ToList();
        Assert.Equal(2, produce.Count);
        Assert.Equal("kafka.network<type=RequestMetrics, name=RequestsPerSec, request=Produce, version=11><>OneMinuteRate", produce[0].Label("_objectname"));

        // Every quantile of every request, labels as the rule writes them (never lowercased).
        var times = scrape.Named("kafka_network_request_total_time_ms").ToList();
        Assert.Equal(18, times.Count);
        Assert.Equal(12.5, times.Single(s => s.Label("request") == "Produce" && s.Label("quantile") == "0.99").Value);
        Assert.All(scrape.Samples, s => Assert.Null(s.TimestampMs));
    }

    [Fact]
    public void The_brokers_figures_come_from_the_metrics_the_rules_name()
    {
        var figures = BrokerFigures.From(PrometheusText.Parse(JmxExporterText.Render(new BrokerJmxValues(0.21, 0.55, 7, 31.25, 2))));

        Assert.Equal(new BrokerFigures(0.21, 0.55, 7, 31.25, 2), figures);
    }

    [Fact]
    public void A_figure_not_exported_or_not_a_number_is_unknown_and_only_produce_at_the_99th_percentile_counts()
    {
        var figures = BrokerFigures.From(PrometheusText.Parse("""
            kafka_server_request_handler_avg_idle_ratio NaN
            kafka_network_request_total_time_ms{quantile="0.999",request="Produce"} 80.0
            kafka_network_request_total_time_ms{quantile="0.99",request="FetchConsumer"} 500.0
            kafka_network_request_total_time_ms{quantile="0.990",request="Produce"} 9.5
            kafka_network_request_queue_size{listener="a"} 2.0
            kafka_network_request_queue_size{listener="b"} 3.0
            """));

        Assert.Null(figures.RequestHandlerIdle);
        Assert.Null(figures.NetworkProcessorIdle);
        Assert.Equal(5, figures.RequestQueue);
        Assert.Equal(9.5, figures.ProduceP99Ms);
        Assert.Null(figures.UnderReplicated);
    }

    [Fact]
    public void Escapes_blanks_special_values_timestamps_and_quoted_names_read_as_Prometheus_reads_them()
    {
        var scrape = PrometheusText.Parse(
            "# HELP a_metric Help with a backslash \\\\ and a\\nnew line, and \\t kept\r\n"
            + "# TYPE a_metric gauge\r\n"
            + "# just a comment\n"
            + "\n"
            + "a_metric{path=\"C:\\\\temp\",quote=\"say \\\"hi\\\"\",lines=\"one\\ntwo\",} 1.5E-3 1700000000123\n"
            + "a_metric\t{ empty = \"\" }\t+Inf\n"
            + "a_metric{x=\"neg\"} -inf -5\n"
            + "a_metric{x=\"nan\"} nan\n"
            + "a_metric{x=\"exp\"} -1.25e+2\n"
            + "{\"service.up\",zone=\"a\"} 1\n"
            + "# UNIT a_metric seconds\n"
            + "# EOF\n"
            + "this is after the end\n");

        Assert.Equal("Help with a backslash \\ and a\nnew line, and \\t kept", scrape.Families["a_metric"].Help);
        var first = scrape.Samples[0];
        Assert.Equal("C:\\temp", first.Label("path"));
        Assert.Equal("say \"hi\"", first.Label("quote"));
        Assert.Equal("one\ntwo", first.Label("lines"));
        Assert.Equal(0.0015, first.Value);
        Assert.Equal(1_700_000_000_123, first.TimestampMs);
        Assert.Equal("", scrape.Samples[1].Label("empty"));
        Assert.Equal(double.PositiveInfinity, scrape.Samples[1].Value);
        Assert.Equal((double.NegativeInfinity, -5L), (scrape.Samples[2].Value, scrape.Samples[2].TimestampMs!.Value));
        Assert.True(double.IsNaN(scrape.Samples[3].Value));
        Assert.Equal(-125, scrape.Samples[4].Value);
        Assert.Equal(("service.up", "a"), (scrape.Samples[5].Name, scrape.Samples[5].Label("zone")));
        Assert.Equal(6, scrape.Samples.Count);
    }

    [Theory]
    [InlineData("a_metric", 1, "expected a space before the value")]
    [InlineData("a_metric twelve", 1, "'twelve' is not a number")]
    [InlineData("ok 1\na_metric{x=\"open} 1", 2, "a quoted string not closed")]
    [InlineData("a_metric{x=\"\\t\"} 1", 1, "an invalid escape '\\t'")]
    [InlineData("a_metric{x=unquoted} 1", 1, "expected '\"'")]
    [InlineData("a_metric{x=\"1\" y=\"2\"} 1", 1, "expected ',' or '}' after a label")]
    [InlineData("a_metric{x=\"1\",x=\"2\"} 1", 1, "the label x twice")]
    [InlineData("a_metric 1 12:00", 1, "'12:00' is not a timestamp in milliseconds")]
    [InlineData("a_metric 1 1700000000 extra", 1, "text after the timestamp")]
    [InlineData("# TYPE a_metric gauge\n# TYPE a_metric counter", 2, "a second TYPE line for a_metric")]
    [InlineData("# TYPE a_metric thermometer", 1, "'thermometer' is not a metric type")]
    [InlineData("9lives 1", 1, "expected a metric name")]
    [InlineData("{x=\"1\"} 1", 1, "a sample without a metric name")]
    public void A_malformed_line_is_refused_with_its_number(string text, int line, string message)
    {
        var error = Assert.Throws<PrometheusFormatException>(() => PrometheusText.Parse(text));

        Assert.Equal(line, error.Line);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, "0.0")]
    [InlineData(3.0, "3.0")]
    [InlineData(12.5, "12.5")]
    [InlineData(0.001, "0.001")]
    [InlineData(0.0001, "1.0E-4")]
    [InlineData(1999.734, "1999.734")]
    [InlineData(9999999.0, "9999999.0")]
    [InlineData(10_000_000.0, "1.0E7")]
    [InlineData(42_123_000.0, "4.2123E7")]
    [InlineData(-2.5E-5, "-2.5E-5")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NaN, "NaN")]
    public void The_fixture_writes_values_as_Javas_Double_toString_does(double value, string java)
    {
        Assert.Equal(java, JmxExporterText.Java(value));
        Assert.Equal(value, PrometheusText.Parse($"m {java}").Samples[0].Value);
    }
}
