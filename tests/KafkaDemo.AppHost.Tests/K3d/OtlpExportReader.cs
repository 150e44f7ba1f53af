using Google.Protobuf;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>One resource's part of an OTLP export: its attributes, and each item (span, metric, log record) as "scope/name".</summary>
internal sealed record OtlpResourceBatch(IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<string> Items)
{
    public string? ServiceName => Attributes.GetValueOrDefault("service.name");

    public string? InstanceId => Attributes.GetValueOrDefault("service.instance.id");
}

/// <summary>
/// Reads an OTLP export request off the protobuf wire with Google.Protobuf's CodedInputStream (OpenTelemetry.Proto,
/// the generated types, is not served by the feed). The field numbers are opentelemetry-proto's (read at
/// ac2c4b5, v1.11.0+16): Export{Trace,Metrics,Logs}ServiceRequest.resource_{spans,metrics,logs} = 1;
/// Resource{Spans,Metrics,Logs}.resource = 1 and .scope_{spans,metrics,logs} = 2; Scope{Spans,Metrics,Logs}.scope = 1
/// and .{spans,metrics,log_records} = 2; Resource.attributes = 1; KeyValue.key = 1, .value = 2; AnyValue.string_value = 1,
/// bool_value = 2, int_value = 3, double_value = 4; InstrumentationScope.name = 1; Span.trace_id = 1, .span_id = 2,
/// .name = 5; Metric.name = 1; LogRecord.event_name = 12. Anything else is skipped, as a generated parser skips unknown
/// fields; a malformed message throws InvalidProtocolBufferException (a span without its ids, InvalidDataException).
/// </summary>
internal static class OtlpExportReader
{
    public const string Traces = "traces";
    public const string Metrics = "metrics";
    public const string Logs = "logs";

    public static IReadOnlyList<OtlpResourceBatch> Read(string signal, byte[] message)
    {
        var batches = new List<OtlpResourceBatch>();
        foreach (var resourceItems in Repeated(message, 1))
        {
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            var items = new List<string>();
            foreach (var (field, value) in Fields(resourceItems))
            {
                if (field == 1)
                {
                    foreach (var keyValue in Repeated(value, 1))
                    {
                        var (key, text) = KeyValue(keyValue);
                        attributes[key] = text;
                    }
                }
                else if (field == 2)
                {
                    items.AddRange(ScopeItems(signal, value));
                }
            }

            batches.Add(new OtlpResourceBatch(attributes, items));
        }

        return batches;
    }

    private static IEnumerable<string> ScopeItems(string signal, byte[] scopeItems)
    {
        var scope = "";
        var names = new List<string>();
        foreach (var (field, value) in Fields(scopeItems))
        {
            if (field == 1)
            {
                scope = Fields(value).Where(f => f.Field == 1).Select(f => f.Value.ToStringUtf8()).LastOrDefault() ?? "";
            }
            else if (field == 2)
            {
                names.Add(ItemName(signal, value));
            }
        }

        return names.Select(n => $"{scope}/{n}");
    }

    private static string ItemName(string signal, byte[] item)
    {
        var fields = Fields(item).ToList();
        switch (signal)
        {
            case Traces:
                // A span that names no 16-byte trace and 8-byte span is not one the SDK sent.
                var traceId = fields.LastOrDefault(f => f.Field == 1).Value;
                var spanId = fields.LastOrDefault(f => f.Field == 2).Value;
                if (traceId?.Length != 16 || spanId?.Length != 8)
                {
                    throw new InvalidDataException($"A span with a {traceId?.Length ?? 0}-byte trace id and a {spanId?.Length ?? 0}-byte span id.");
                }

                return fields.LastOrDefault(f => f.Field == 5).Value?.ToStringUtf8() ?? "";
            case Metrics:
                return fields.LastOrDefault(f => f.Field == 1).Value?.ToStringUtf8() ?? "";
            case Logs:
                return fields.LastOrDefault(f => f.Field == 12).Value?.ToStringUtf8() ?? "log";
            default:
                throw new ArgumentOutOfRangeException(nameof(signal), signal, "traces, metrics or logs");
        }
    }

    private static (string Key, string Value) KeyValue(byte[] keyValue)
    {
        var key = "";
        var text = "";
        foreach (var (field, value) in Fields(keyValue))
        {
            if (field == 1)
            {
                key = value.ToStringUtf8();
            }
            else if (field == 2)
            {
                text = AnyValue(value);
            }
        }

        return (key, text);
    }

    /// <summary>AnyValue's scalar cases as text (string_value, bool_value, int_value, double_value); others as "".</summary>
    private static string AnyValue(byte[] anyValue)
    {
        var input = new CodedInputStream(anyValue);
        var text = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            text = WireFormat.GetTagFieldNumber(tag) switch
            {
                1 => input.ReadString(),
                2 => input.ReadBool() ? "true" : "false",
                3 => input.ReadInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
                4 => input.ReadDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                _ => Skip(input),
            };
        }

        return text;
    }

    private static string Skip(CodedInputStream input)
    {
        input.SkipLastField();
        return "";
    }

    private static IEnumerable<byte[]> Repeated(byte[] message, int field) =>
        Fields(message).Where(f => f.Field == field).Select(f => f.Value);

    /// <summary>The length-delimited fields of a message (sub-messages, strings, bytes), in order; other wire types skipped.</summary>
    private static List<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var input = new CodedInputStream(message);
        var fields = new List<(int Field, byte[] Value)>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                fields.Add((WireFormat.GetTagFieldNumber(tag), input.ReadBytes().ToByteArray()));
            }
            else
            {
                input.SkipLastField();
            }
        }

        return fields;
    }

    private static string ToStringUtf8(this byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes);
}
