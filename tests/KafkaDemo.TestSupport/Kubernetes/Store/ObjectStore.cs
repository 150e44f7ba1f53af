using System.Globalization;
using System.Text.Json.Nodes;
using k8s;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The fake's etcd: objects as JSON under one lock, a global resourceVersion that every committed
/// change increments, and the watch history. It does the bookkeeping the API server does on every
/// write (uid, creationTimestamp, resourceVersion, generation); what a write means (apply, patch,
/// replace) is decided by its caller inside the lock, so read-modify-write is atomic.
/// </summary>
internal sealed class ObjectStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<ObjectKey, JsonObject> objects = [];
    private readonly WatchHub hub;
    private readonly TimeProvider time;
    private long version;

    public ObjectStore(TimeProvider time, int historyLimit)
    {
        this.time = time;
        hub = new WatchHub(gate, historyLimit);
    }

    /// <summary>Told of every committed change, under the lock, in resourceVersion order: it must only hand work off.</summary>
    public event Action<StoredEvent>? Committed;

    /// <summary>
    /// The registry's strategy for every write, whoever makes it: defaults and validation of an object about to
    /// be stored (it may change it or throw an <see cref="ApiStatusException"/>). Runs under the lock.
    /// </summary>
    public Action<ResourceKind, JsonObject>? Prepare { get; set; }

    public long CurrentVersion
    {
        get
        {
            lock (gate)
            {
                return version;
            }
        }
    }

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Runs several store operations as one: nothing else reads or writes in between.</summary>
    public T InLock<T>(Func<T> operations)
    {
        lock (gate)
        {
            return operations();
        }
    }

    public JsonObject? Get(ObjectKey key)
    {
        lock (gate)
        {
            return objects.TryGetValue(key, out var found) ? (JsonObject)found.DeepClone() : null;
        }
    }

    public bool Exists(ObjectKey key)
    {
        lock (gate)
        {
            return objects.ContainsKey(key);
        }
    }

    /// <summary>The objects of a resource (in one namespace, or all), ordered by namespace and name, and the version they were read at.</summary>
    public (IReadOnlyList<JsonObject> Items, long Version) List(string group, string plural, string? @namespace)
    {
        lock (gate)
        {
            var items = objects
                .Where(p => p.Key.Group == group && p.Key.Plural == plural && (@namespace is null || p.Key.Namespace == @namespace))
                .OrderBy(p => p.Key.Namespace, StringComparer.Ordinal)
                .ThenBy(p => p.Key.Name, StringComparer.Ordinal)
                .Select(p => (JsonObject)p.Value.DeepClone())
                .ToArray();
            return (items, version);
        }
    }

    /// <summary>
    /// Creates or changes one object. <paramref name="decide"/> runs under the lock with a copy of the
    /// current object (null if there is none) and returns the object to store; it may throw an
    /// <see cref="ApiStatusException"/> to refuse. An unchanged object is not written (no new version, no event).
    /// </summary>
    /// <param name="admit">
    /// Validating admission, for writes through the API: called with the object as stored (null if none) and
    /// the object about to be stored, stamped, before anything is stored (dry runs too); it may throw to refuse.
    /// </param>
    public WriteResult Write(ObjectKey key, ResourceKind kind, Func<JsonObject?, JsonObject> decide, WriteCause cause, bool dryRun = false, Action<JsonObject?, JsonObject>? admit = null)
    {
        lock (gate)
        {
            objects.TryGetValue(key, out var stored);
            var current = (JsonObject?)stored?.DeepClone();
            var next = decide(current);
            if (key.Group.Length == 0 && key.Plural == ResourceType.Secrets.Plural)
            {
                SecretData.MergeStringData(next);
            }

            if (key.Group.Length == 0 && key.Plural == ResourceType.Namespaces.Plural)
            {
                NamespaceNameLabel.Set(next, key.Name);
            }

            Prepare?.Invoke(kind, next);
            Stamp(next, kind, key, stored);
            admit?.Invoke((JsonObject?)stored?.DeepClone(), (JsonObject)next.DeepClone());
            if (stored is not null && JsonNode.DeepEquals(stored, next))
            {
                return new WriteResult(next, Created: false, Changed: false);
            }

            if (dryRun)
            {
                return new WriteResult(next, Created: stored is null, Changed: true);
            }

            var committedVersion = ++version;
            ((JsonObject)next["metadata"]!)["resourceVersion"] = committedVersion.ToString(CultureInfo.InvariantCulture);
            objects[key] = next;
            Publish(new StoredEvent(
                committedVersion,
                stored is null ? WatchEventType.Added : WatchEventType.Modified,
                key,
                next.ToJsonString(),
                stored?.ToJsonString(),
                cause));
            return new WriteResult((JsonObject)next.DeepClone(), Created: stored is null, Changed: true);
        }
    }

    /// <summary>Removes an object; the DELETED event carries its last state with the deletion's resourceVersion.</summary>
    public JsonObject? Delete(ObjectKey key, WriteCause cause, bool dryRun = false)
    {
        lock (gate)
        {
            if (!objects.TryGetValue(key, out var stored))
            {
                return null;
            }

            if (dryRun)
            {
                return (JsonObject)stored.DeepClone();
            }

            objects.Remove(key);
            var committedVersion = ++version;
            var last = (JsonObject)stored.DeepClone();
            ((JsonObject)last["metadata"]!)["resourceVersion"] = committedVersion.ToString(CultureInfo.InvariantCulture);
            Publish(new StoredEvent(committedVersion, WatchEventType.Deleted, key, last.ToJsonString(), null, cause));
            return last;
        }
    }

    /// <summary>Removes every object whose key matches, each with its own DELETED event.</summary>
    public int DeleteWhere(Func<ObjectKey, bool> matches, WriteCause cause)
    {
        lock (gate)
        {
            var doomed = objects.Keys.Where(matches)
                .OrderBy(k => k.Namespace, StringComparer.Ordinal).ThenBy(k => k.Name, StringComparer.Ordinal)
                .ToArray();
            foreach (var key in doomed)
            {
                Delete(key, cause);
            }

            return doomed.Length;
        }
    }

    /// <summary>
    /// Opens a watch. Without a version it first replays the current objects as ADDED (as the real
    /// server does for resourceVersion unset or "0"); with one, it replays every retained change after it.
    /// </summary>
    public WatchHub.Subscription Watch(string group, string plural, string? @namespace, long? afterVersion)
    {
        lock (gate)
        {
            if (afterVersion is { } after && after < hub.OldestWatchable)
            {
                throw ApiStatusException.Gone($"too old resource version: {after} ({hub.OldestWatchable})");
            }

            var initial = afterVersion is null
                ? objects
                    .Where(p => p.Key.Group == group && p.Key.Plural == plural && (@namespace is null || p.Key.Namespace == @namespace))
                    .OrderBy(p => p.Key.Namespace, StringComparer.Ordinal).ThenBy(p => p.Key.Name, StringComparer.Ordinal)
                    .Select(p => new StoredEvent(VersionOf(p.Value), WatchEventType.Added, p.Key, p.Value.ToJsonString(), null, new WriteCause("list", null, ThroughApi: false)))
                    .ToArray()
                : [];
            return hub.Subscribe(group, plural, @namespace, initial, afterVersion);
        }
    }

    /// <summary>Ends every open watch.</summary>
    public void CloseWatches()
    {
        lock (gate)
        {
            hub.CompleteAll();
        }
    }

    private static long VersionOf(JsonObject item) =>
        long.Parse(item["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    private void Publish(StoredEvent change)
    {
        hub.Publish(change);
        Committed?.Invoke(change);
    }

    /// <summary>
    /// The fields the server owns: name, namespace, uid, creationTimestamp, generation; metadata in a
    /// fixed order. <paramref name="stored"/> is the object as stored, untouched by the write's decision.
    /// </summary>
    private void Stamp(JsonObject next, ResourceKind kind, ObjectKey key, JsonObject? stored)
    {
        var metadata = next["metadata"] as JsonObject ?? [];
        var currentMetadata = stored?["metadata"] as JsonObject;
        long? generation = null;
        if (kind.TracksGeneration)
        {
            var previous = currentMetadata?["generation"]?.GetValue<long>();
            generation = previous is null ? 1 : previous + (SpecChanged(stored!, next, kind) ? 1 : 0);
        }

        var ordered = new JsonObject { ["name"] = key.Name };
        if (key.Namespace is not null)
        {
            ordered["namespace"] = key.Namespace;
        }

        ordered["uid"] = currentMetadata?["uid"]?.DeepClone() ?? Guid.NewGuid().ToString();
        ordered["resourceVersion"] = currentMetadata?["resourceVersion"]?.DeepClone() ?? "";
        if (generation is not null)
        {
            ordered["generation"] = generation;
        }

        ordered["creationTimestamp"] = currentMetadata?["creationTimestamp"]?.DeepClone() ?? KubeTime.Format(time.GetUtcNow());
        foreach (var name in (string[])["generateName", "labels", "annotations", "finalizers", "ownerReferences", "deletionTimestamp", "managedFields"])
        {
            if (metadata[name] is { } value)
            {
                ordered[name] = value.DeepClone();
            }
        }

        var apiVersion = next["apiVersion"]?.DeepClone();
        var kindName = next["kind"]?.DeepClone();
        next.Remove("apiVersion");
        next.Remove("kind");
        next.Remove("metadata");
        var rest = next.ToArray();
        next.Clear();
        next["apiVersion"] = apiVersion;
        next["kind"] = kindName;
        next["metadata"] = ordered;
        foreach (var (name, value) in rest)
        {
            next[name] = value?.DeepClone();
        }
    }

    /// <summary>Whether anything but metadata (and status, where status is a subresource) changed.</summary>
    private static bool SpecChanged(JsonObject before, JsonObject after, ResourceKind kind)
    {
        bool Counts(string name) => name is not ("metadata" or "apiVersion" or "kind") && !(kind.HasStatus && name == "status");
        var names = before.Select(p => p.Key).Concat(after.Select(p => p.Key)).Where(Counts).Distinct();
        return names.Any(name => !JsonNode.DeepEquals(before[name], after[name]));
    }
}

/// <summary>What a write stored: a copy of the object, and whether it was new or changed at all.</summary>
internal sealed record WriteResult(JsonObject Object, bool Created, bool Changed);
