using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.System.Text.Json;

namespace KafkaDemo.AppHost.Kubernetes;

/// <summary>Kubernetes manifests (multi-document YAML) as JSON objects, and back.</summary>
public static class YamlDocuments
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().AddSystemTextJson().Build();

    /// <summary>Every non-empty document of <paramref name="yaml"/>, in order.</summary>
    /// <exception cref="FormatException">A document is not valid YAML or not a mapping.</exception>
    public static IReadOnlyList<JsonObject> Parse(string yaml, string source)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var documents = new List<JsonObject>();
        try
        {
            var parser = new Parser(new StringReader(yaml));
            parser.Consume<StreamStart>();
            while (parser.Accept<DocumentStart>(out _))
            {
                switch (Deserializer.Deserialize<JsonNode?>(parser))
                {
                    case null:
                        break;
                    case JsonObject document:
                        documents.Add(document);
                        break;
                    default:
                        throw new FormatException($"{source}: document {documents.Count + 1} is not a mapping.");
                }
            }
        }
        catch (YamlException ex)
        {
            throw new FormatException($"{source}: {ex.Message}", ex);
        }

        return documents;
    }

    /// <summary>One object as YAML, for files a person may read (the rendered k3d config).</summary>
    public static string Write(JsonNode node) => YamlConverter.Serialize(node);
}
