using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// Hooks that react to committed writes. A hook's filter runs at once, in commit order; its reaction
/// runs on the thread pool, after the write (so it may write to the store itself), with a token that
/// fires when the fake stops. Reactions still running are awaited when the fake stops; their
/// failures are kept.
/// </summary>
internal sealed class WriteReactions(Func<ObjectKey, string, ResourceType> resourceOf) : IAsyncDisposable
{
    private readonly Lock gate = new();
    private readonly List<Reaction> reactions = [];
    private readonly HashSet<Task> running = [];
    private readonly CancellationTokenSource stopping = new();

    public ConcurrentQueue<Exception> Failures { get; } = new();

    public IDisposable Add(Func<ObjectWrite, bool> filter, Func<ObjectWrite, CancellationToken, Task> reaction)
    {
        var entry = new Reaction(this, filter, reaction);
        lock (gate)
        {
            reactions.Add(entry);
        }

        return entry;
    }

    /// <summary>Called for every committed change (under the store's lock): starts the reactions whose filters take it.</summary>
    public void Dispatch(StoredEvent change)
    {
        Reaction[] current;
        lock (gate)
        {
            if (reactions.Count == 0 || stopping.IsCancellationRequested)
            {
                return;
            }

            current = [.. reactions];
        }

        var item = change.ParseObject();
        var write = new ObjectWrite(
            change.Type,
            resourceOf(change.Key, JsonFields.Text(item, "apiVersion") ?? ""),
            change.Key.Namespace,
            change.Key.Name,
            item,
            change.ParsePrevious(),
            change.Cause.Verb,
            change.Cause.FieldManager,
            change.Cause.ThroughApi,
            change.ResourceVersion);
        foreach (var reaction in current)
        {
            bool wanted;
            try
            {
                wanted = reaction.Filter(write);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Failures.Enqueue(e);
                continue;
            }

            if (wanted)
            {
                Start(reaction, write with { Item = (JsonObject)write.Item.DeepClone(), Previous = (JsonObject?)write.Previous?.DeepClone() });
            }
        }
    }

    private void Start(Reaction reaction, ObjectWrite write)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await reaction.Run(write, stopping.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // The fake stops.
            }
            catch (Exception e)
            {
                Failures.Enqueue(e);
            }
        });
        lock (gate)
        {
            running.Add(task);
        }

        task.ContinueWith(
            t =>
            {
                lock (gate)
                {
                    running.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        Task[] pending;
        lock (gate)
        {
            stopping.Cancel();
            pending = [.. running];
        }

        await Task.WhenAll(pending);
        stopping.Dispose();
    }

    private sealed class Reaction(WriteReactions owner, Func<ObjectWrite, bool> filter, Func<ObjectWrite, CancellationToken, Task> run) : IDisposable
    {
        public Func<ObjectWrite, bool> Filter => filter;

        public Func<ObjectWrite, CancellationToken, Task> Run => run;

        public void Dispose()
        {
            lock (owner.gate)
            {
                owner.reactions.Remove(this);
            }
        }
    }
}
