namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// flock(2) locks in one container, by file (its normalised path): an exclusive lock excludes every
/// other lock on the file, shared locks exclude only an exclusive one. A lock belongs to an open
/// file description, which every process that inherited the descriptor holds (fork and exec keep
/// it; Python's subprocess closes it, close_fds=True): it is released when the last holder exits.
/// </summary>
internal sealed class FileLocks
{
    private readonly Lock gate = new();
    private readonly List<OpenFile> open = [];
    private TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>An open file description with its lock.</summary>
    public sealed class OpenFile(string path, bool exclusive)
    {
        public string Path { get; } = path;

        public bool Exclusive { get; } = exclusive;

        public HashSet<ContainerProcess> Holders { get; } = [];
    }

    /// <summary>flock(fd, LOCK_EX|LOCK_NB) or LOCK_SH: the description now holding the lock, or null when another conflicts.</summary>
    public OpenFile? TryLock(string path, bool exclusive, ContainerProcess? holder)
    {
        lock (gate)
        {
            if (open.Any(o => o.Path == path && (exclusive || o.Exclusive)))
            {
                return null;
            }

            var file = new OpenFile(path, exclusive);
            if (holder is not null)
            {
                file.Holders.Add(holder);
            }

            open.Add(file);
            return file;
        }
    }

    /// <summary>A blocking flock: waits until the lock is free, the deadline passes (null) or the process dies (cancelled).</summary>
    public async Task<OpenFile?> LockAsync(string path, bool exclusive, ContainerProcess holder, TimeSpan? timeout, TimeProvider time, CancellationToken dying)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(dying);
        if (timeout is { } limit)
        {
            _ = Task.Delay(limit, time, deadline.Token).ContinueWith(_ => deadline.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }

        while (true)
        {
            Task changed;
            lock (gate)
            {
                changed = released.Task;
            }

            if (TryLock(path, exclusive, holder) is { } file)
            {
                return file;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!dying.IsCancellationRequested)
            {
                return null;
            }
        }
    }

    /// <summary>At fork: the child holds every description its parent holds.</summary>
    public void Inherit(ContainerProcess parent, ContainerProcess child)
    {
        lock (gate)
        {
            foreach (var file in open.Where(o => o.Holders.Contains(parent)))
            {
                file.Holders.Add(child);
            }
        }
    }

    /// <summary>close(fd) in one process (flock -o before exec).</summary>
    public void Close(OpenFile file, ContainerProcess process) => Drop(process, only: file);

    /// <summary>At exit: the process's descriptors close; a lock no process holds any more is released.</summary>
    public void Exited(ContainerProcess process) => Drop(process, only: null);

    /// <summary>Releases a description at once (a test's holder letting go).</summary>
    public void Release(OpenFile file)
    {
        lock (gate)
        {
            file.Holders.Clear();
            open.Remove(file);
            Signal();
        }
    }

    public bool IsLocked(string path)
    {
        lock (gate)
        {
            return open.Any(o => o.Path == path);
        }
    }

    private void Drop(ContainerProcess process, OpenFile? only)
    {
        lock (gate)
        {
            var freed = false;
            foreach (var file in open.Where(o => (only is null || o == only) && o.Holders.Remove(process)).ToList())
            {
                if (file.Holders.Count == 0)
                {
                    open.Remove(file);
                    freed = true;
                }
            }

            if (freed)
            {
                Signal();
            }
        }
    }

    private void Signal()
    {
        var previous = released;
        released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }
}
