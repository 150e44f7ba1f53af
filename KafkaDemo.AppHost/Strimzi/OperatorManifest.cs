using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Settings;

namespace KafkaDemo.AppHost.Strimzi;

/// <summary>
/// The Strimzi cluster operator's install manifest: the pinned release asset, downloaded once and
/// cached, or a local copy. It is checked to be what was asked for before anything is applied, and
/// its RoleBindings are pointed at the namespace the operator watches.
/// </summary>
public sealed class OperatorManifest(IReadOnlyList<JsonObject> objects, string source)
{
    public const string DeploymentName = "strimzi-cluster-operator";

    private static readonly string[] StrimziCrds = ["kafkas", "kafkanodepools", "kafkatopics"];

    /// <summary>Every object, in the manifest's order, ready to apply.</summary>
    public IReadOnlyList<JsonObject> Objects => objects;

    /// <summary>Where it came from (a URL or a path).</summary>
    public string Source => source;

    /// <summary>Reads the manifest named by <see cref="K3dSettings.StrimziManifest"/>, downloading the release asset if needed.</summary>
    /// <exception cref="ClusterSetupException">It cannot be had, or it is not Strimzi's.</exception>
    public static async Task<OperatorManifest> LoadAsync(
        K3dSettings settings, string kafkaVersion, HttpClient http, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(log);
        var location = string.IsNullOrWhiteSpace(settings.StrimziManifest) ? K3dSettings.StrimziReleaseUrl : settings.StrimziManifest;
        string text;
        if (Uri.TryCreate(location, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            text = await DownloadOnceAsync(uri, settings, kafkaVersion, http, log, cancellationToken);
        }
        else if (Directory.Exists(location))
        {
            var files = Directory.GetFiles(location, "*.yaml").Order(StringComparer.Ordinal).ToList();
            log($"Reading the Strimzi operator manifest from {files.Count} files in {location}.");
            text = string.Join("\n---\n", files.Select(File.ReadAllText));
        }
        else if (File.Exists(location))
        {
            log($"Reading the Strimzi operator manifest from {location}.");
            text = await File.ReadAllTextAsync(location, cancellationToken);
        }
        else
        {
            throw new ClusterSetupException($"The Strimzi operator manifest '{location}' (KafkaDemo:K3d:StrimziManifest) is neither a URL, a file nor a folder.",
                $"Point KafkaDemo:K3d:StrimziManifest at strimzi-cluster-operator-{K3dSettings.StrimziVersion}.yaml, or leave it empty to download it.");
        }

        return Parse(text, location, K3dSettings.StrimziVersion, kafkaVersion);
    }

    /// <summary>Parses, checks and rewrites a manifest.</summary>
    /// <exception cref="ClusterSetupException">It is not the operator of <paramref name="strimziVersion"/>, or cannot run <paramref name="kafkaVersion"/>.</exception>
    public static OperatorManifest Parse(string yaml, string source, string strimziVersion, string kafkaVersion)
    {
        IReadOnlyList<JsonObject> objects;
        try
        {
            objects = YamlDocuments.Parse(yaml, source);
        }
        catch (FormatException ex)
        {
            throw Wrong(source, $"it is not valid YAML ({ex.Message})");
        }

        var problems = Check(objects, strimziVersion, kafkaVersion).ToList();
        if (problems.Count > 0)
        {
            throw Wrong(source, string.Join("; ", problems));
        }

        foreach (var item in objects)
        {
            Place(item);
        }

        return new OperatorManifest(objects, source);
    }

    private static IEnumerable<string> Check(IReadOnlyList<JsonObject> objects, string strimziVersion, string kafkaVersion)
    {
        var deployment = objects.FirstOrDefault(o => (string?)o["kind"] == "Deployment" && (string?)o["metadata"]?["name"] == DeploymentName);
        var container = deployment?["spec"]?["template"]?["spec"]?["containers"]?.AsArray().FirstOrDefault()?.AsObject();
        var image = (string?)container?["image"];
        if (image is null)
        {
            yield return $"it has no Deployment {DeploymentName} with an operator image";
        }
        else if (!image.EndsWith($"/strimzi/operator:{strimziVersion}", StringComparison.Ordinal))
        {
            yield return $"its operator image is {image}, not strimzi/operator:{strimziVersion}";
        }

        var kafkaImages = container?["env"]?.AsArray().FirstOrDefault(e => (string?)e?["name"] == "STRIMZI_KAFKA_IMAGES")?["value"]?.GetValue<string>();
        if (container is not null && (kafkaImages is null || !kafkaImages.Split('\n').Any(l => l.Trim().StartsWith($"{kafkaVersion}=", StringComparison.Ordinal))))
        {
            yield return $"its operator has no image for Kafka {kafkaVersion} (STRIMZI_KAFKA_IMAGES)";
        }

        foreach (var plural in StrimziCrds)
        {
            var name = $"{plural}.{ApiKinds.StrimziGroup}";
            var crd = objects.FirstOrDefault(o => (string?)o["kind"] == "CustomResourceDefinition" && (string?)o["metadata"]?["name"] == name);
            if (crd is null)
            {
                yield return $"it has no CustomResourceDefinition {name}";
                continue;
            }

            var servesV1 = crd["spec"]?["versions"]?.AsArray().Any(v => (string?)v?["name"] == "v1" && v?["served"]?.GetValue<bool>() == true) == true;
            if (!servesV1)
            {
                yield return $"its CustomResourceDefinition {name} does not serve {ApiKinds.StrimziGroup}/v1";
            }
        }
    }

    /// <summary>Puts namespaced objects, and the service accounts the bindings name, in the operator's namespace.</summary>
    private static void Place(JsonObject item)
    {
        var kind = ApiKinds.Of(item);
        var metadata = item["metadata"]!.AsObject();
        if (kind.Namespaced)
        {
            metadata["namespace"] = K3dSettings.Namespace;
        }

        if ((string?)item["kind"] is "RoleBinding" or "ClusterRoleBinding")
        {
            foreach (var subject in item["subjects"]?.AsArray().OfType<JsonObject>() ?? [])
            {
                if ((string?)subject["kind"] == "ServiceAccount")
                {
                    subject["namespace"] = K3dSettings.Namespace;
                }
            }
        }
    }

    private static async Task<string> DownloadOnceAsync(
        Uri uri, K3dSettings settings, string kafkaVersion, HttpClient http, Action<string> log, CancellationToken cancellationToken)
    {
        var cacheName = uri.ToString() == K3dSettings.StrimziReleaseUrl
            ? Path.GetFileName(uri.AbsolutePath)
            : $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(uri.ToString())))[..16]}-{Path.GetFileName(uri.AbsolutePath)}";
        var cache = Path.Combine(settings.ResolvedStateDirectory, "strimzi", cacheName);
        if (File.Exists(cache))
        {
            log($"Using the cached Strimzi operator manifest {cache} (downloaded from {uri}).");
            return await File.ReadAllTextAsync(cache, cancellationToken);
        }

        log($"Downloading the Strimzi operator manifest from {uri} (once; cached at {cache}).");
        string text;
        try
        {
            text = await http.GetStringAsync(uri, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            throw new ClusterSetupException($"Downloading the Strimzi operator manifest from {uri} failed: {ex.Message}",
                $"Check the network, or download it by hand and set KafkaDemo:K3d:StrimziManifest to its path.", ex);
        }

        // Checked before it is cached, so a bad download is not kept.
        Parse(text, uri.ToString(), K3dSettings.StrimziVersion, kafkaVersion);
        Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
        var partial = cache + ".partial";
        await File.WriteAllTextAsync(partial, text, cancellationToken);
        File.Move(partial, cache, overwrite: true);
        return text;
    }

    private static ClusterSetupException Wrong(string source, string problem) =>
        new($"The Strimzi operator manifest from {source} is not the one KafkaDemo was built for: {problem}.",
            $"Use Strimzi {K3dSettings.StrimziVersion}'s strimzi-cluster-operator-{K3dSettings.StrimziVersion}.yaml (leave KafkaDemo:K3d:StrimziManifest empty to download it).");
}
