using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KafkaDemo.DeploymentContract.Kubernetes;

namespace KafkaDemo.AppHost.Kubernetes;

/// <summary>
/// The Kubernetes API as KafkaDemo uses it, through KubernetesClient: server-side apply under one
/// field manager, reads, merge patches, and watches. Objects are plain JSON, so the same code
/// handles core objects and Strimzi's custom resources.
/// </summary>
public sealed class KubernetesApi(IKubernetes client) : IDisposable
{
    /// <summary>The field manager of everything KafkaDemo applies.</summary>
    public const string FieldManager = "kafkademo";

    public IKubernetes Client => client;

    /// <summary>How long the API server keeps one watch open (<c>timeoutSeconds</c>) before it is read and watched again.</summary>
    public int WatchSeconds { get; init; } = 60;

    /// <summary>Opens the cluster a kubeconfig file describes, through <paramref name="context"/> (null: its current-context). The file is only read.</summary>
    public static KubernetesApi FromKubeconfig(string path, string? context = null)
    {
        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, currentContext: context);
        return new KubernetesApi(new k8s.Kubernetes(configuration));
    }

    /// <summary>Server-side apply: creates the object or brings the fields KafkaDemo manages to these values.</summary>
    public async Task<JsonObject> ApplyAsync(JsonObject manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var kind = ApiKinds.Of(manifest);
        var name = (string?)manifest["metadata"]?["name"] ?? throw new InvalidOperationException($"{manifest.Describe()} has no metadata.name.");
        var patch = new V1Patch(manifest.ToJsonString(), V1Patch.PatchType.ApplyPatch);
        try
        {
            var applied = kind.Namespaced
                ? await client.CustomObjects.PatchNamespacedCustomObjectAsync<JsonObject>(
                    patch, kind.Group, kind.Version, Namespace(manifest), kind.Plural, name,
                    fieldManager: FieldManager, force: true, cancellationToken: cancellationToken)
                : await client.CustomObjects.PatchClusterCustomObjectAsync<JsonObject>(
                    patch, kind.Group, kind.Version, kind.Plural, name,
                    fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
            return applied;
        }
        catch (HttpOperationException ex)
        {
            throw new KubernetesApiException($"Applying {manifest.Describe()} failed: {Explain(ex)}", ex);
        }
    }

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<JsonObject?> GetAsync(ApiKind kind, string? ns, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        try
        {
            return kind.Namespaced
                ? await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(kind.Group, kind.Version, ns, kind.Plural, name, cancellationToken)
                : await client.CustomObjects.GetClusterCustomObjectAsync<JsonObject>(kind.Group, kind.Version, kind.Plural, name, cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (HttpOperationException ex)
        {
            throw new KubernetesApiException($"Reading {kind.Plural} {name} failed: {Explain(ex)}", ex);
        }
    }

    /// <summary>
    /// A token for a service account from the TokenRequest API (POST
    /// .../serviceaccounts/{name}/token, authentication.k8s.io/v1), valid for
    /// <paramref name="lifetime"/> (at least 10 minutes, the API's minimum), with the API server's
    /// own audiences; and when it expires, as the server says (it may shorten the lifetime).
    /// </summary>
    public async Task<(string Token, DateTimeOffset? Expires)> RequestTokenAsync(string ns, string serviceAccount, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var request = new Authenticationv1TokenRequest
        {
            ApiVersion = "authentication.k8s.io/v1",
            Kind = "TokenRequest",
            Spec = new V1TokenRequestSpec { ExpirationSeconds = (long)lifetime.TotalSeconds },
        };
        try
        {
            var issued = await client.CoreV1.CreateNamespacedServiceAccountTokenAsync(request, serviceAccount, ns, cancellationToken: cancellationToken);
            var token = issued?.Status?.Token;
            if (string.IsNullOrEmpty(token))
            {
                throw new KubernetesApiException($"The TokenRequest for service account {ns}/{serviceAccount} was answered without a token.");
            }

            var expires = issued!.Status.ExpirationTimestamp is { } at
                ? new DateTimeOffset(at.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : at.ToUniversalTime())
                : (DateTimeOffset?)null;
            return (token, expires);
        }
        catch (HttpOperationException ex)
        {
            throw new KubernetesApiException($"Requesting a token for service account {ns}/{serviceAccount} failed: {Explain(ex)}", ex);
        }
    }

    /// <summary>The objects of one kind in a namespace, with the list's resourceVersion (to watch from).</summary>
    public async Task<(IReadOnlyList<JsonObject> Items, string? ResourceVersion)> ListAsync(
        ApiKind kind, string ns, string? labelSelector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        try
        {
            var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>(
                kind.Group, kind.Version, ns, kind.Plural, labelSelector: labelSelector, cancellationToken: cancellationToken);
            var items = list["items"] is JsonArray array ? array.OfType<JsonObject>().ToList() : [];
            return (items, (string?)list["metadata"]?["resourceVersion"]);
        }
        catch (HttpOperationException ex)
        {
            throw new KubernetesApiException($"Listing {kind.Plural} in {ns} failed: {Explain(ex)}", ex);
        }
    }

    /// <summary>A JSON merge patch on the main resource (annotations, single fields).</summary>
    public async Task<JsonObject> MergePatchAsync(ApiKind kind, string ns, string name, JsonObject patch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(patch);
        try
        {
            return await client.CustomObjects.PatchNamespacedCustomObjectAsync<JsonObject>(
                new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), kind.Group, kind.Version, ns, kind.Plural, name,
                fieldManager: FieldManager, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex)
        {
            throw new KubernetesApiException($"Patching {kind.Plural} {ns}/{name} failed: {Explain(ex)}", ex);
        }
    }

    /// <summary>
    /// Follows one object until <paramref name="done"/> says so: reads it, then watches it from
    /// that version, and watches again whenever the API server ends a watch. Each state seen
    /// (null while the object does not exist) is handed to <paramref name="seen"/>. The caller's
    /// token bounds the wait.
    /// </summary>
    public async Task<JsonObject> WaitForAsync(
        ApiKind kind,
        string? ns,
        string name,
        Func<JsonObject?, bool> done,
        Action<JsonObject?>? seen,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(done);
        while (true)
        {
            var current = await GetAsync(kind, ns, name, cancellationToken);
            seen?.Invoke(current);
            if (current is not null && done(current))
            {
                return current;
            }

            try
            {
                var version = (string?)current?["metadata"]?["resourceVersion"];
                await foreach (var (type, item) in WatchAsync(kind, ns, name, version, cancellationToken))
                {
                    current = type == WatchEventType.Deleted ? null : item;
                    seen?.Invoke(current);
                    if (current is not null && done(current))
                    {
                        return current;
                    }
                }
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Gone)
            {
                // The version we watched from is too old: read again.
            }
        }
    }

    private async IAsyncEnumerable<(WatchEventType Type, JsonObject Item)> WatchAsync(
        ApiKind kind, string? ns, string name, string? resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var fieldSelector = $"metadata.name={name}";
        var events = kind.Namespaced
            ? client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                kind.Group, kind.Version, ns, kind.Plural, fieldSelector: fieldSelector, resourceVersion: resourceVersion,
                timeoutSeconds: WatchSeconds, cancellationToken: cancellationToken)
            : client.CustomObjects.WatchListClusterCustomObjectAsync(
                kind.Group, kind.Version, kind.Plural, fieldSelector: fieldSelector, resourceVersion: resourceVersion,
                timeoutSeconds: WatchSeconds, cancellationToken: cancellationToken);
        await using var reading = events.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool next;
            try
            {
                next = await reading.MoveNextAsync();
            }
            catch (HttpRequestException ex) when (QuietWatchEnd.Is(ex))
            {
                next = false; // nothing changed within WatchSeconds: read and watch again
            }

            if (!next)
            {
                yield break;
            }

            var (type, raw) = reading.Current;
            var item = raw is JsonElement element ? JsonObject.Create(element) ?? [] : JsonSerializer.SerializeToNode(raw)?.AsObject() ?? [];
            if (type == WatchEventType.Error)
            {
                // The API server reports an expired resourceVersion as an ERROR event with a Status object.
                if ((int?)item["code"] == (int)HttpStatusCode.Gone)
                {
                    yield break;
                }

                throw new KubernetesApiException($"Watching {kind.Plural} {name} failed: {(string?)item["message"] ?? item.ToJsonString()}");
            }

            yield return (type, item);
        }
    }

    private static string Namespace(JsonObject manifest) =>
        (string?)manifest["metadata"]?["namespace"] ?? throw new InvalidOperationException($"{manifest.Describe()} has no metadata.namespace.");

    /// <summary>The API server's own message (a v1 Status), or the HTTP status.</summary>
    private static string Explain(HttpOperationException ex)
    {
        try
        {
            if (ex.Response.Content is { Length: > 0 } content && JsonNode.Parse(content)?["message"] is { } message)
            {
                return $"{(int)ex.Response.StatusCode} {message}";
            }
        }
        catch (JsonException)
        {
        }

        return $"{(int)ex.Response.StatusCode} {ex.Response.ReasonPhrase}";
    }

    public void Dispose() => client.Dispose();
}

/// <summary>A Kubernetes API call failed; the message quotes the API server.</summary>
public sealed class KubernetesApiException : Exception
{
    public KubernetesApiException(string message)
        : base(message)
    {
    }

    public KubernetesApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KubernetesApiException()
    {
    }
}
