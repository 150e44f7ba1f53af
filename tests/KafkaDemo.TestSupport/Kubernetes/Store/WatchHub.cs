using System.Threading.Channels;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The history of committed changes and the open watches. The object store calls it under its lock,
/// so a watch that starts at a resourceVersion gets every later change exactly once, in order:
/// first the retained history after that version, then live changes.
/// </summary>
internal sealed class WatchHub(Lock storeGate, int historyLimit)
{
    private readonly List<StoredEvent> history = [];
    private readonly List<Subscription> subscriptions = [];

    /// <summary>The oldest resourceVersion a watch can still start from (changes after it are all retained).</summary>
    public long OldestWatchable { get; private set; }

    /// <summary>Called under the store's lock for every committed change.</summary>
    public void Publish(StoredEvent change)
    {
        history.Add(change);
        if (history.Count > historyLimit)
        {
            OldestWatchable = history[0].ResourceVersion;
            history.RemoveAt(0);
        }

        foreach (var subscription in subscriptions)
        {
            if (subscription.Wants(change.Key))
            {
                subscription.Events.Writer.TryWrite(change);
            }
        }
    }

    /// <summary>Called under the store's lock: the retained changes after <paramref name="afterVersion"/>, then live ones.</summary>
    public Subscription Subscribe(string group, string plural, string? @namespace, IEnumerable<StoredEvent> initial, long? afterVersion)
    {
        var subscription = new Subscription(this, group, plural, @namespace);
        foreach (var change in initial)
        {
            subscription.Events.Writer.TryWrite(change);
        }

        if (afterVersion is { } after)
        {
            foreach (var change in history)
            {
                if (change.ResourceVersion > after && subscription.Wants(change.Key))
                {
                    subscription.Events.Writer.TryWrite(change);
                }
            }
        }

        subscriptions.Add(subscription);
        return subscription;
    }

    /// <summary>Ends every watch (the server is going away).</summary>
    public void CompleteAll()
    {
        foreach (var subscription in subscriptions)
        {
            subscription.Events.Writer.TryComplete();
        }

        subscriptions.Clear();
    }

    private void Remove(Subscription subscription)
    {
        lock (storeGate)
        {
            subscriptions.Remove(subscription);
        }
    }

    /// <summary>One open watch on a resource, optionally in one namespace.</summary>
    internal sealed class Subscription(WatchHub hub, string group, string plural, string? @namespace) : IDisposable
    {
        public Channel<StoredEvent> Events { get; } = Channel.CreateUnbounded<StoredEvent>(new UnboundedChannelOptions { SingleReader = true });

        public bool Wants(ObjectKey key) =>
            key.Group == group && key.Plural == plural && (@namespace is null || key.Namespace == @namespace);

        public void Dispose()
        {
            Events.Writer.TryComplete();
            hub.Remove(this);
        }
    }
}
