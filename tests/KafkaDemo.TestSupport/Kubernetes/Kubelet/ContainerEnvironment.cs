using System.Text;
using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// A container's environment as it is at start, built the way the kubelet and containerd build it.
/// <list type="number">
/// <item>containerd (internal/cri/server/container_create_linux.go, buildLinuxContainerSpec / containerSpec):
/// the default <c>PATH</c> (oci.WithDefaultPathEnv), <c>HOSTNAME</c> (the pod's hostname), then the
/// image's ENV, then the kubelet's variables; a later variable replaces an earlier one of the same name.</item>
/// <item>The kubelet's variables (kubernetes pkg/kubelet/kubelet_pods.go, makeEnvironmentVariables):
/// <c>envFrom</c> in order (every key of the ConfigMap's <c>data</c> or the Secret's <c>data</c>,
/// with the prefix; a missing source fails unless <c>optional</c>), then <c>env</c> in order, each
/// replacing what came before: <c>value</c> with <c>$(VAR)</c> expanded from the variables defined so
/// far and the service variables, or <c>valueFrom</c> (<c>fieldRef</c>, <c>configMapKeyRef</c>,
/// <c>secretKeyRef</c>; a missing object or key fails unless <c>optional</c>, and an optional one
/// leaves the variable out); then the service variables not already defined.</item>
/// </list>
/// </summary>
internal static class ContainerEnvironment
{
    /// <summary>containerd's oci.WithDefaultPathEnv (oci/spec.go defaultUnixEnv).</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static Dictionary<string, string> Resolve(PodStart start, JsonObject container, ImageConfig image)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = DefaultPath,
            ["HOSTNAME"] = start.Hostname,
        };
        foreach (var entry in image.Env)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            environment[equals < 0 ? entry : entry[..equals]] = equals < 0 ? "" : entry[(equals + 1)..];
        }

        foreach (var (name, value) in KubeletVariables(start, container))
        {
            environment[name] = value;
        }

        return environment;
    }

    private static Dictionary<string, string> KubeletVariables(PodStart start, JsonObject container)
    {
        var serviceEnv = start.ServiceEnvironment;
        var defined = new Dictionary<string, string>(StringComparer.Ordinal);
        var configMaps = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var secrets = new Dictionary<string, JsonObject>(StringComparer.Ordinal);

        foreach (var source in (container["envFrom"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var prefix = JsonFields.Text(source, "prefix") ?? "";
            var (reference, isSecret) = source["configMapRef"] is JsonObject cm ? (cm, false)
                : source["secretRef"] is JsonObject s ? (s, true) : (null, false);
            if (reference is null)
            {
                continue;
            }

            var name = JsonFields.Text(reference, "name") ?? "";
            var found = Lookup(start, isSecret ? secrets : configMaps, isSecret, name, Optional(reference));
            if (found is null)
            {
                continue;
            }

            foreach (var (key, value) in Data(found, isSecret))
            {
                // kubelet makeEnvironmentVariables skips (with an InvalidEnvironmentVariableNames event) keys
                // that are not valid variable names; with RelaxedEnvironmentVariableValidation (beta and on
                // by default in 1.32, kubernetes PR #126897) a valid name is any printable ASCII but '='.
                var variable = prefix + key;
                if (IsRelaxedVariableName(variable))
                {
                    defined[variable] = value;
                }
            }
        }

        foreach (var variable in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = JsonFields.Text(variable, "name") ?? "";
            var value = JsonFields.Text(variable, "value") ?? "";
            if (value.Length > 0)
            {
                defined[name] = VariableExpansion.Expand(value, v => defined.TryGetValue(v, out var d) ? d : serviceEnv.GetValueOrDefault(v));
            }
            else if (variable["valueFrom"] is JsonObject from)
            {
                var resolved = ValueFrom(start, from, configMaps, secrets);
                if (resolved is null)
                {
                    continue;
                }

                defined[name] = resolved;
            }
            else
            {
                defined[name] = "";
            }
        }

        foreach (var (name, value) in serviceEnv)
        {
            defined.TryAdd(name, value);
        }

        return defined;
    }

    /// <summary>A <c>valueFrom</c>, or null when an optional source is missing (the variable is then left out).</summary>
    private static string? ValueFrom(PodStart start, JsonObject from, Dictionary<string, JsonObject> configMaps, Dictionary<string, JsonObject> secrets)
    {
        if (from["fieldRef"] is JsonObject field)
        {
            return FieldValue(start, JsonFields.Text(field, "fieldPath") ?? "");
        }

        var (reference, isSecret) = from["configMapKeyRef"] is JsonObject cm ? (cm, false)
            : from["secretKeyRef"] is JsonObject s ? (s, true)
            : throw ContainerStartFailure.Config($"the fake Kubernetes API does not resolve this valueFrom: {from.ToJsonString()}");
        var name = JsonFields.Text(reference, "name") ?? "";
        var key = JsonFields.Text(reference, "key") ?? "";
        var optional = Optional(reference);
        var found = Lookup(start, isSecret ? secrets : configMaps, isSecret, name, optional);
        if (found is null)
        {
            return null;
        }

        if (Data(found, isSecret).TryGetValue(key, out var value))
        {
            return value;
        }

        // kubelet makeEnvironmentVariables: fmt.Errorf("couldn't find key %v in Secret %v/%v", ...) and
        // "couldn't find key %v in ConfigMap %v/%v"; an optional reference skips the variable instead.
        return optional ? null : throw ContainerStartFailure.Config($"couldn't find key {key} in {(isSecret ? "Secret" : "ConfigMap")} {start.Namespace}/{name}");
    }

    /// <summary>
    /// A ConfigMap or Secret of the pod's namespace (read once per start, as the kubelet caches them
    /// per call), or null when it is missing and optional. A missing required one fails with the
    /// kubelet's watch-based manager's NotFound (pkg/kubelet/secret and configmap: the group resources
    /// "secret" and "configmap"), e.g. <c>secret "vibectl-llm" not found</c>.
    /// </summary>
    private static JsonObject? Lookup(PodStart start, Dictionary<string, JsonObject> cache, bool isSecret, string name, bool optional)
    {
        if (cache.TryGetValue(name, out var cached))
        {
            return cached;
        }

        var found = start.Read(isSecret ? ResourceType.Secrets : ResourceType.ConfigMaps, name);
        if (found is null)
        {
            return optional ? null : throw ContainerStartFailure.Config($"{(isSecret ? "secret" : "configmap")} \"{name}\" not found");
        }

        cache[name] = found;
        return found;
    }

    /// <summary>A ConfigMap's <c>data</c>, or a Secret's <c>data</c> decoded from base64 (as Go's <c>string(bytes)</c>).</summary>
    public static Dictionary<string, string> Data(JsonObject item, bool isSecret)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in item["data"] as JsonObject ?? [])
        {
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
            data[key] = isSecret ? Encoding.UTF8.GetString(Convert.FromBase64String(text)) : text;
        }

        return data;
    }

    /// <summary>
    /// A downward API field, as kubelet podFieldSelectorRuntimeValue and fieldpath.ExtractFieldPathAsString
    /// read it; an unsupported path fails as ExtractFieldPathAsString does ("unsupported fieldPath: ...").
    /// </summary>
    public static string FieldValue(PodStart start, string fieldPath)
    {
        var pod = start.Pod;
        string? Subscript(string prefix) =>
            fieldPath.StartsWith(prefix + "['", StringComparison.Ordinal) && fieldPath.EndsWith("']", StringComparison.Ordinal)
                ? fieldPath[(prefix.Length + 2)..^2]
                : null;
        return fieldPath switch
        {
            "metadata.name" => start.PodName,
            "metadata.namespace" => start.Namespace,
            "metadata.uid" => start.PodUid,
            "spec.nodeName" => start.NodeName,
            "spec.serviceAccountName" => start.ServiceAccount.Name,
            "status.podIP" or "status.podIPs" => start.PodIP,
            "status.hostIP" or "status.hostIPs" => start.HostIP,
            _ when Subscript("metadata.labels") is { } label => JsonFields.Text(pod, "metadata", "labels", label) ?? "",
            _ when Subscript("metadata.annotations") is { } annotation => JsonFields.Text(pod, "metadata", "annotations", annotation) ?? "",
            _ => throw ContainerStartFailure.Config($"unsupported fieldPath: {fieldPath}"),
        };
    }

    private static bool Optional(JsonObject reference) => reference["optional"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    /// <summary>k8s.io/apimachinery validation IsRelaxedEnvVarName: not empty, printable ASCII, no '='.</summary>
    private static bool IsRelaxedVariableName(string name) =>
        name.Length > 0 && name.All(c => c is >= ' ' and <= '~' && c != '=');
}
