using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The label every namespace carries, set by the registry on every write, whoever writes
/// (kubernetes pkg/registry/core/namespace/strategy.go PrepareForCreate and PrepareForUpdate:
/// <c>kubernetes.io/metadata.name</c> = the namespace's name), so namespace selectors can name a
/// namespace: a ValidatingAdmissionPolicy's <c>namespaceSelector</c>, for one.
/// </summary>
internal static class NamespaceNameLabel
{
    public const string Key = "kubernetes.io/metadata.name";

    public static void Set(JsonObject item, string name)
    {
        var metadata = JsonFields.Metadata(item);
        var labels = metadata["labels"] as JsonObject ?? [];
        metadata["labels"] = labels;
        labels[Key] = name;
    }
}
