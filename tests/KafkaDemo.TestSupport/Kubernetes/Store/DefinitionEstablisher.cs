using System.Text.Json.Nodes;
using k8s;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// What the API server's own CRD controllers do: after a CustomResourceDefinition is created or its
/// names or versions change, it accepts the names and marks it Established (a separate write, after an
/// optional delay, as on a real server), and from then on its served versions are served.
/// </summary>
internal sealed class DefinitionEstablisher(ObjectWriter writer, KindRegistry kinds, TimeProvider time, TimeSpan delay)
{
    private static readonly ResourceKind DefinitionKind = new KindRegistry().Find(ResourceType.CustomResourceDefinitions)!;

    public static bool Wants(ObjectWrite write) =>
        write.IsOf(ResourceType.CustomResourceDefinitions) && write.Type != WatchEventType.Deleted && !IsUpToDate(write.Item);

    public async Task EstablishAsync(ObjectWrite write, CancellationToken cancellationToken)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }

        var now = KubeTime.Format(time.GetUtcNow());
        var names = AcceptedNames(write.Item);
        var storage = (write.Item["spec"]?["versions"] as JsonArray ?? [])
            .FirstOrDefault(v => v?["storage"]?.GetValue<bool>() == true)?["name"]?.GetValue<string>();
        var status = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["acceptedNames"] = names,
                ["conditions"] = new JsonArray(
                    Condition("NamesAccepted", "NoConflicts", "no conflicts found", now),
                    Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", now)),
                ["storedVersions"] = storage is null ? new JsonArray() : new JsonArray(storage),
            },
        };
        try
        {
            writer.Patch(DefinitionKind, null, write.Name, PatchKind.Merge, status, FieldScope.Status, "kube-apiserver", force: false, dryRun: false);
        }
        catch (ApiStatusException gone) when (gone.Code == System.Net.HttpStatusCode.NotFound)
        {
            // Deleted before it was established.
        }
    }

    /// <summary>Keeps the served kinds in step with every committed definition change.</summary>
    public void Learn(StoredEvent change)
    {
        if (change.Key.SameResource(ResourceType.CustomResourceDefinitions))
        {
            kinds.Learn(change.Key.Name, change.Type == WatchEventType.Deleted ? null : change.ParseObject());
        }
    }

    private static bool IsUpToDate(JsonObject definition) =>
        definition["status"]?["conditions"] is JsonArray conditions
        && conditions.Any(c => JsonFields.Text(c, "type") == "Established" && JsonFields.Text(c, "status") == "True")
        && JsonNode.DeepEquals(definition["status"]?["acceptedNames"], AcceptedNames(definition));

    private static JsonObject AcceptedNames(JsonObject definition)
    {
        var names = (JsonObject?)definition["spec"]?["names"]?.DeepClone() ?? [];
        if (names["kind"] is not null && names["listKind"] is null)
        {
            names["listKind"] = names["kind"]!.GetValue<string>() + "List";
        }

        if (names["kind"] is not null && names["singular"] is null)
        {
            names["singular"] = names["kind"]!.GetValue<string>().ToLowerInvariant();
        }

        return names;
    }

    private static JsonObject Condition(string type, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };
}
