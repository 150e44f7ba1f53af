using System.Text;
using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The contents of a pod's volumes when the kubelet sets them up, before any container starts
/// (kubernetes pkg/volume/configmap, secret, projected and downwardapi: the payload written under the
/// volume; items select keys and name their files, a missing object or key fails the mount unless
/// <c>optional</c>), and each container's mounts of them. The contents are frozen at start: the real
/// kubelet refreshes ConfigMap and Secret volumes (not their subPath mounts) about a minute after a change.
/// </summary>
internal static class PodVolumes
{
    /// <summary>The read-only volumes' contents; emptyDir volumes are not here (they come from the pod's runtime).</summary>
    public static Dictionary<string, VolumeDirectory> SetUp(PodStart start)
    {
        var volumes = new Dictionary<string, VolumeDirectory>(StringComparer.Ordinal);
        foreach (var volume in (start.Pod["spec"]?["volumes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = JsonFields.Text(volume, "name") ?? "";
            try
            {
                var contents = Contents(start, volume);
                if (contents is not null)
                {
                    volumes[name] = VolumeDirectory.Snapshot(contents);
                }
            }
            catch (ContainerStartFailure failure)
            {
                // The kubelet's FailedMount event text (operation_generator.go GenerateMountVolumeFunc).
                throw ContainerStartFailure.Mount($"MountVolume.SetUp failed for volume \"{name}\" : {failure.Message}");
            }
        }

        return volumes;
    }

    /// <summary>A container's mounts, in its <c>volumeMounts</c> order.</summary>
    public static List<ContainerMount> MountsOf(JsonObject container, IReadOnlyDictionary<string, VolumeDirectory> volumes, Func<string, VolumeDirectory?> emptyDir)
    {
        var mounts = new List<ContainerMount>();
        var containerName = JsonFields.Text(container, "name") ?? "";
        foreach (var mount in (container["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = JsonFields.Text(mount, "name") ?? "";
            var volume = volumes.GetValueOrDefault(name) ?? emptyDir(name)
                ?? throw ContainerStartFailure.Config($"cannot find volume \"{name}\" to mount into container \"{containerName}\"");
            var readOnly = !volume.Writable || (mount["readOnly"] is JsonValue v && v.TryGetValue<bool>(out var ro) && ro);
            var subPath = ContainerFiles.Normalize(JsonFields.Text(mount, "subPath") ?? "", "/").TrimStart('/');
            mounts.Add(new ContainerMount(ContainerFiles.Normalize(JsonFields.Text(mount, "mountPath") ?? "/", "/"), volume, subPath, readOnly));
        }

        return mounts;
    }

    /// <summary>The files of a ConfigMap, Secret, projected or downward API volume; null for other kinds.</summary>
    private static Dictionary<string, byte[]>? Contents(PodStart start, JsonObject volume)
    {
        if (volume["configMap"] is JsonObject configMap)
        {
            return Project(start, configMap, isSecret: false, nameField: "name");
        }

        if (volume["secret"] is JsonObject secret)
        {
            return Project(start, secret, isSecret: true, nameField: "secretName");
        }

        if (volume["downwardAPI"] is JsonObject downward)
        {
            return DownwardApi(start, downward);
        }

        if (volume["projected"] is not JsonObject projected)
        {
            return null;
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var source in (projected["sources"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var part = source["configMap"] is JsonObject cm ? Project(start, cm, isSecret: false, nameField: "name")
                : source["secret"] is JsonObject s ? Project(start, s, isSecret: true, nameField: "name")
                : source["downwardAPI"] is JsonObject d ? DownwardApi(start, d)
                : source["serviceAccountToken"] is JsonObject token ? new Dictionary<string, byte[]>
                {
                    // The kubelet asks TokenRequest for a token bound to the pod (pkg/volume/projected).
                    [JsonFields.Text(token, "path") ?? "token"] = Encoding.UTF8.GetBytes(start.IssueToken()),
                }
                : throw ContainerStartFailure.Config($"the fake Kubernetes API does not project this source: {source.ToJsonString()}");
            foreach (var (path, bytes) in part)
            {
                files[path] = bytes;
            }
        }

        return files;
    }

    /// <summary>
    /// A ConfigMap's or Secret's keys as files: all of them (for a ConfigMap <c>data</c> and <c>binaryData</c>),
    /// or the <c>items</c> under their paths. Messages as pkg/volume/configmap MakePayload ("configmap
    /// references non-existent config key: %s") and pkg/volume/secret MakePayload ("references
    /// non-existent secret key: %s"); a missing object is the manager's NotFound.
    /// </summary>
    private static Dictionary<string, byte[]> Project(PodStart start, JsonObject source, bool isSecret, string nameField)
    {
        var name = JsonFields.Text(source, nameField) ?? "";
        var optional = source["optional"] is JsonValue v && v.TryGetValue<bool>(out var o) && o;
        var item = start.Read(isSecret ? ResourceType.Secrets : ResourceType.ConfigMaps, name);
        if (item is null)
        {
            return optional ? [] : throw ContainerStartFailure.Mount($"{(isSecret ? "secret" : "configmap")} \"{name}\" not found");
        }

        var data = ContainerEnvironment.Data(item, isSecret).ToDictionary(p => p.Key, p => Encoding.UTF8.GetBytes(p.Value), StringComparer.Ordinal);
        if (!isSecret)
        {
            foreach (var (key, value) in item["binaryData"] as JsonObject ?? [])
            {
                data[key] = Convert.FromBase64String(value?.GetValue<string>() ?? "");
            }
        }

        if (source["items"] is not JsonArray items)
        {
            return data;
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var mapping in items.OfType<JsonObject>())
        {
            var key = JsonFields.Text(mapping, "key") ?? "";
            if (data.TryGetValue(key, out var bytes))
            {
                files[JsonFields.Text(mapping, "path") ?? key] = bytes;
            }
            else if (!optional)
            {
                throw ContainerStartFailure.Mount(isSecret ? $"references non-existent secret key: {key}" : $"configmap references non-existent config key: {key}");
            }
        }

        return files;
    }

    private static Dictionary<string, byte[]> DownwardApi(PodStart start, JsonObject source)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var item in (source["items"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var fieldPath = JsonFields.Text(item, "fieldRef", "fieldPath")
                ?? throw ContainerStartFailure.Config($"the fake Kubernetes API only projects fieldRef items: {item.ToJsonString()}");
            files[JsonFields.Text(item, "path") ?? fieldPath] = Encoding.UTF8.GetBytes(ContainerEnvironment.FieldValue(start, fieldPath));
        }

        return files;
    }
}
