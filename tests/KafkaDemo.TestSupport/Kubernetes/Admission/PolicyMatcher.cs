using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// Whether a policy's <c>matchConstraints</c> or a binding's <c>matchResources</c> select a request
/// (k8s.io/apiserver pkg/admission/plugin/policy/matching/matching.go Matches, with
/// pkg/admission/plugin/webhook/predicates: namespace/matcher.go, object/matcher.go and rules/rules.go):
/// the namespace selector (cluster-scoped requests other than for namespaces always pass; a namespace being
/// created or updated is judged by its own labels), the object selector (the new or the old object's labels),
/// no exclude rule, and a resource rule by scope, operation, API group, version, resource and
/// subresource (<c>res/sub</c>, <c>*</c> for either part, so <c>kafkas</c> is not <c>kafkas/status</c> but
/// <c>kafkas/*</c> is both) and resource names. With matchPolicy Equivalent, another served version of the
/// same resource may match in the request's place.
/// </summary>
internal static class PolicyMatcher
{
    public static bool Matches(JsonObject? matchResources, AdmissionAttributes attributes, JsonObject? namespaceObject, KindRegistry kinds)
    {
        if (matchResources is null)
        {
            return true;
        }

        if (!NamespaceSelected(matchResources["namespaceSelector"] as JsonObject, attributes, namespaceObject)
            || !ObjectSelected(matchResources["objectSelector"] as JsonObject, attributes))
        {
            return false;
        }

        var equivalent = JsonFields.Text(matchResources, "matchPolicy") != "Exact";
        if (AnyRule(matchResources["excludeResourceRules"] as JsonArray, attributes, equivalent, kinds))
        {
            return false;
        }

        return matchResources["resourceRules"] is not JsonArray { Count: > 0 } rules || AnyRule(rules, attributes, equivalent, kinds);
    }

    private static bool AnyRule(JsonArray? rules, AdmissionAttributes attributes, bool equivalent, KindRegistry kinds)
    {
        var versions = new List<string> { attributes.Kind.Type.Version };
        if (equivalent)
        {
            // matchesResourceRules: the request's own version first, then the equivalent resources (other served versions).
            versions.AddRange(kinds.All.Where(k => k.Type.Group == attributes.Kind.Type.Group && k.Type.Plural == attributes.Kind.Type.Plural && k.Type.Version != attributes.Kind.Type.Version).Select(k => k.Type.Version));
        }

        return versions.Any(version => (rules ?? []).OfType<JsonObject>().Any(rule => RuleMatches(rule, attributes, version)));
    }

    private static bool RuleMatches(JsonObject rule, AdmissionAttributes attributes, string version)
    {
        var resource = attributes.Kind.Type;
        var isNamespaceObject = resource == ResourceType.Namespaces;
        var scopeMatches = (JsonFields.Text(rule, "scope") ?? "*") switch
        {
            "*" => true,
            "Namespaced" => !isNamespaceObject && !string.IsNullOrEmpty(attributes.Namespace),
            "Cluster" => isNamespaceObject || string.IsNullOrEmpty(attributes.Namespace),
            _ => false,
        };
        if (!scopeMatches
            || !JsonFields.Strings(rule, "operations").Any(o => o == "*" || o == attributes.Operation)
            || !JsonFields.Strings(rule, "apiGroups").Any(g => g == "*" || g == resource.Group)
            || !JsonFields.Strings(rule, "apiVersions").Any(v => v == "*" || v == version)
            || !JsonFields.Strings(rule, "resources").Any(r =>
            {
                var slash = r.IndexOf('/', StringComparison.Ordinal);
                var (name, sub) = slash < 0 ? (r, "") : (r[..slash], r[(slash + 1)..]);
                return (name == "*" || name == resource.Plural) && (sub == "*" || sub == attributes.Subresource);
            }))
        {
            return false;
        }

        var names = JsonFields.Strings(rule, "resourceNames");
        return names.Length == 0 || names.Contains(attributes.Name);
    }

    private static bool NamespaceSelected(JsonObject? selector, AdmissionAttributes attributes, JsonObject? namespaceObject)
    {
        var isNamespaceObject = attributes.Kind.Type == ResourceType.Namespaces;
        if (string.IsNullOrEmpty(attributes.Namespace) && !isNamespaceObject)
        {
            return true;
        }

        if (IsEmpty(selector))
        {
            return true;
        }

        // A namespace being created or updated is judged by the object itself; being deleted, by what is stored (the old object).
        var labels = isNamespaceObject && attributes.Subresource.Length == 0
            ? (attributes.Operation is "CREATE" or "UPDATE" ? attributes.Object : attributes.OldObject)?["metadata"]?["labels"] as JsonObject
            : namespaceObject?["metadata"]?["labels"] as JsonObject;
        return LabelsMatch(selector!, labels);
    }

    private static bool ObjectSelected(JsonObject? selector, AdmissionAttributes attributes) =>
        IsEmpty(selector)
        || (attributes.Object is { } current && LabelsMatch(selector!, current["metadata"]?["labels"] as JsonObject))
        || (attributes.OldObject is { } old && LabelsMatch(selector!, old["metadata"]?["labels"] as JsonObject));

    private static bool IsEmpty(JsonObject? selector) =>
        selector is null || ((selector["matchLabels"] as JsonObject ?? []).Count == 0 && (selector["matchExpressions"] as JsonArray ?? []).Count == 0);

    /// <summary>metav1.LabelSelector: every matchLabels pair, and every expression (In, NotIn, Exists, DoesNotExist).</summary>
    private static bool LabelsMatch(JsonObject selector, JsonObject? labels)
    {
        string? Label(string key) => JsonFields.Text(labels, key);
        foreach (var (key, value) in selector["matchLabels"] as JsonObject ?? [])
        {
            if (Label(key) != JsonFields.Text(value))
            {
                return false;
            }
        }

        foreach (var expression in (selector["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var key = JsonFields.Text(expression, "key") ?? "";
            var values = JsonFields.Strings(expression, "values");
            var label = Label(key);
            var matches = JsonFields.Text(expression, "operator") switch
            {
                "In" => label is not null && values.Contains(label),
                "NotIn" => label is null || !values.Contains(label),
                "Exists" => label is not null,
                "DoesNotExist" => label is null,
                _ => false,
            };
            if (!matches)
            {
                return false;
            }
        }

        return true;
    }
}
