using System.Threading.Channels;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// A container's log as the container runtime keeps it (CRI's log file: one line per write, each with the
/// time it was read and its stream), for <c>pods/{name}/log</c>. Followers get every line added after
/// they subscribed, until the log is closed (the container stopped, or its pod went).
/// </summary>
internal sealed class ContainerLog
{
    private readonly Lock gate = new();
    private readonly List<LogLine> lines = [];
    private readonly List<Channel<LogLine>> followers = [];
    private bool closed;

    public void Append(DateTimeOffset time, string stream, string text)
    {
        var line = new LogLine(time, stream, text);
        lock (gate)
        {
            if (closed)
            {
                return;
            }

            lines.Add(line);
            foreach (var follower in followers)
            {
                follower.Writer.TryWrite(line);
            }
        }
    }

    /// <summary>No more lines: followers end once they have read what was written.</summary>
    public void Close()
    {
        lock (gate)
        {
            closed = true;
            foreach (var follower in followers)
            {
                follower.Writer.TryComplete();
            }

            followers.Clear();
        }
    }

    /// <summary>The lines so far and, when following, a reader of the later ones (completed when the log closes).</summary>
    public (IReadOnlyList<LogLine> Lines, ChannelReader<LogLine>? Later) Read(bool follow)
    {
        lock (gate)
        {
            var snapshot = lines.ToArray();
            if (!follow)
            {
                return (snapshot, null);
            }

            var channel = Channel.CreateUnbounded<LogLine>();
            if (closed)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                followers.Add(channel);
            }

            return (snapshot, channel.Reader);
        }
    }

    /// <summary>Stops telling a follower that went away.</summary>
    public void Unfollow(ChannelReader<LogLine> reader)
    {
        lock (gate)
        {
            followers.RemoveAll(f => f.Reader == reader);
        }
    }
}

/// <summary>One line of a container's log: when it was written, "stdout" or "stderr", and its text without the newline.</summary>
internal sealed record LogLine(DateTimeOffset Time, string Stream, string Text);
