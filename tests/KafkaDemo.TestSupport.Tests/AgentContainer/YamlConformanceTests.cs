using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using KafkaDemo.TestSupport.AgentContainer;

namespace KafkaDemo.TestSupport.Tests.AgentContainer;

/// <summary>
/// The stand-in's PyYAML against Debian's PyYAML 6.0: vibectl's config (its defaults, and memory of
/// every awkward kind: long, multi-line, quotes, tabs, non-ASCII, astral characters, strings that
/// look like other types or start with indicators) dumped by both with
/// <c>yaml.dump(data, default_flow_style=False)</c> and compared byte for byte, and what one writes
/// read back by the other.
/// </summary>
public sealed class YamlConformanceTests
{
    private const string DumpScript = """
        import sys, json, yaml
        def convert(value):
            if isinstance(value, dict):
                return float(value["__float__"]) if set(value) == {"__float__"} else {k: convert(v) for k, v in value.items()}
            if isinstance(value, list):
                return [convert(v) for v in value]
            return value
        print(json.dumps([yaml.dump(convert(value), default_flow_style=False) for value in json.load(sys.stdin)]))
        """;

    private static readonly string[] Memories =
    [
        "short",
        "",
        "Kafka lag on topic orders: 1200 msgs [consumer-group cg-1]; action: scaled consumer deployment to 3 replicas. Next: watch lag & check broker CPU — ✓ stable? Héllo: yes #tag",
        "<overseer>\nRate: 1,200 msg/s; p99 24.1 ms (SLO 25 ms)\n</overseer>\nRound 1: set num.io.threads 2→4 because handler idle was low.",
        "it's \"quoted\" and 'single' and \\backslash\\",
        "tab\there and a very long line after the tab that goes on and on past the eighty column limit of PyYAML's emitter",
        "emoji 🚀 and astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 characters, and a BOM \uFEFF and NEL \u0085 and LS \u2028",
        "yes", "No", "on", "OFF", "true", "null", "~", "Null", "123", "-5", "0x1F", "0o17", "017", "1_000", "1:30", "1.5", ".5", "1e5", ".inf", "-.Inf", ".NaN",
        "2024-01-01", "2024-01-01 10:00:00", "=", "<<", "!tag", "&anchor", "*alias", "- item", "-item", "? key", "?key", ": x", "x: y", "x:y", "#x", "x #y", "x#y",
        "[list]", "{map}", ",", "|", ">", "%", "@x", "`x", "---", "...", " leading space", "trailing space ", "\nleading newline", "trailing newline\n",
        "two\n\nblank lines\n\n\n", "space before \nbreak", "line\n indented", "🚀",
        string.Join(' ', Enumerable.Repeat("word", 40)),
        string.Join(' ', Enumerable.Repeat("wörd", 40)),
        new string('x', 200),
        "a " + new string('y', 120) + " b",
        string.Join("\n", Enumerable.Range(1, 12).Select(i => $"Round {i}: a note long enough to need folding when it is written by PyYAML in a single-quoted scalar")),
    ];

    private static readonly string[] Floats = ["1.0", "0.1", "2.5e-07", "1e+17", "123456789.125", "-0.0", "inf", "1e16", "0.0001", "1e-05"];

    [Fact]
    public async Task Vibectls_config_dumps_as_PyYAML_dumps_it()
    {
        var python = await RequiredTools.PythonWithAsync("yaml");
        var values = new List<JsonNode>();
        foreach (var memory in Memories)
        {
            var config = ToJson(VibectlConfig.Defaults());
            config["memory_content"] = memory;
            config["system"]!["custom_instructions"] = memory;
            values.Add(config);
        }

        values.Add(new JsonObject
        {
            ["ints"] = new JsonArray(0, -5, 2000, 12345678901234567890m),
            ["floats"] = new JsonArray([.. Floats.Select(f => (JsonNode)new JsonObject { ["__float__"] = f })]),
            ["nested"] = new JsonObject { ["b"] = new JsonObject { ["d"] = "x", ["c"] = null }, ["a"] = new JsonArray("one", "two words", "yes") },
            ["keys: with colon"] = true,
            ["yes"] = false,
            ["Zulu"] = 1,
            ["émoji"] = "key",
            ["empty"] = new JsonObject(),
            ["none"] = new JsonArray(),
        });
        var real = JsonSerializer.Deserialize<string[]>(await RealPython.RunAsync(python, DumpScript, new JsonArray([.. values]).ToJsonString()))!;
        for (var i = 0; i < values.Count; i++)
        {
            var mine = PyYamlWriter.Dump(FromJson(values[i]));
            Assert.True(real[i] == mine, $"yaml.dump differs for {values[i].ToJsonString()}:\nPyYAML:\n{real[i]}\nstand-in:\n{mine}");
        }
    }

    [Fact]
    public async Task What_each_writes_the_other_reads_back()
    {
        var python = await RequiredTools.PythonWithAsync("yaml");
        var documents = Memories.Select(m =>
        {
            var config = VibectlConfig.Defaults();
            config["memory_content"] = m;
            return PyYamlWriter.Dump(config);
        }).ToList();
        var loaded = JsonSerializer.Deserialize<JsonArray>(await RealPython.RunAsync(python, """
            import sys, json, yaml
            print(json.dumps([yaml.safe_load(text)["memory_content"] for text in json.load(sys.stdin)]))
            """, JsonSerializer.Serialize(documents)))!;
        for (var i = 0; i < Memories.Length; i++)
        {
            Assert.Equal(Memories[i], loaded[i]!.GetValue<string>());
            Assert.Equal(Memories[i], (PyYamlReader.Load(documents[i]) as PyDict)!["memory_content"]);
        }

        // PyYAML's YAML 1.1 types, as the stand-in reads a file someone edited by hand.
        var typed = (PyDict)PyYamlReader.Load("a: yes\nb: 0x10\nc: 1_000\nd: 1:30\ne: .5\nf: ~\ng: '123'\nh: 017\ni: -.inf\n")!;
        Assert.Equal([true, new BigInteger(16), new BigInteger(1000), new BigInteger(90), 0.5, null, "123", new BigInteger(15), double.NegativeInfinity],
            typed.Select(p => p.Value));
    }

    private static JsonNode ToJson(object? value) => value switch
    {
        PyDict dict => new JsonObject(dict.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value is null ? null : ToJson(p.Value)))),
        List<object?> list => new JsonArray([.. list.Select(v => v is null ? null : ToJson(v))]),
        BigInteger i => JsonValue.Create((decimal)i),
        double d => new JsonObject { ["__float__"] = PyValue.FloatRepr(d) },
        bool b => JsonValue.Create(b),
        string s => JsonValue.Create(s),
        _ => throw new ArgumentException($"Not a config value: {value}", nameof(value)),
    };

    /// <summary>json.loads' types: an integer literal is an int, one with a dot or an exponent a float.</summary>
    private static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject { Count: 1 } marker when marker["__float__"] is JsonValue number => PyValue.TryParseFloat(number.GetValue<string>(), out var parsed) ? parsed : throw new ArgumentException("bad float", nameof(node)),
        JsonObject obj => obj.Aggregate(new PyDict(), (dict, p) =>
        {
            dict[p.Key] = FromJson(p.Value);
            return dict;
        }),
        JsonArray array => array.Select(FromJson).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => value.ToJsonString() is var text && (text.Contains('.', StringComparison.Ordinal) || text.Contains('e', StringComparison.OrdinalIgnoreCase))
                ? double.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
                : BigInteger.Parse(text, System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new ArgumentException($"Unexpected JSON {value}", nameof(node)),
        },
        _ => throw new ArgumentException($"Unexpected JSON {node}", nameof(node)),
    };
}
