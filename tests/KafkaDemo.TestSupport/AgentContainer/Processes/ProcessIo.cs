using System.Text;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// A process's standard output or error: the exec stream it was started with, shared by the
/// processes that inherit it. Every write is sent at once (vibectl's image sets
/// <c>PYTHONUNBUFFERED=1</c>, and Rich flushes after each print). Once the exec's client has gone,
/// what is written is discarded: the process runs on, nobody reads.
/// </summary>
internal sealed class ProcessOutput
{
    private readonly Stream? stream;
    private readonly CancellationToken clientGone;
    private readonly Lock gate = new();
    private readonly StringBuilder? copy;
    private Task tail = Task.CompletedTask;
    private bool gone;

    /// <param name="stream">The exec channel, or null for output nobody reads (/dev/null).</param>
    /// <param name="clientGone">Fires when the exec client has gone.</param>
    /// <param name="keepCopy">Whether to keep what was written (a subprocess's captured output).</param>
    public ProcessOutput(Stream? stream, CancellationToken clientGone, bool keepCopy = false)
    {
        this.stream = stream;
        this.clientGone = clientGone;
        copy = keepCopy ? new StringBuilder() : null;
    }

    /// <summary>Output nobody reads.</summary>
    public static ProcessOutput Null() => new(null, CancellationToken.None);

    /// <summary>An output that keeps what is written, as <c>subprocess.run(capture_output=True)</c> does.</summary>
    public static ProcessOutput Captured() => new(null, CancellationToken.None, keepCopy: true);

    /// <summary>What was written, when a copy is kept.</summary>
    public string Text
    {
        get
        {
            lock (copy ?? throw new InvalidOperationException("This output keeps no copy."))
            {
                return copy.ToString();
            }
        }
    }

    public async Task WriteAsync(string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (copy is not null)
        {
            lock (copy)
            {
                copy.Append(text);
            }
        }

        if (stream is null)
        {
            return;
        }

        // Writes go out one after the other, in the order they were made.
        Task write;
        lock (gate)
        {
            write = tail = tail.ContinueWith(_ => SendAsync(text), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }

        await write;
    }

    private async Task SendAsync(string text)
    {
        if (gone || clientGone.IsCancellationRequested)
        {
            gone = true;
            return;
        }

        try
        {
            await stream!.WriteAsync(Encoding.UTF8.GetBytes(text), CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away while we wrote: the rest is discarded, as for a reader that left.
            gone = true;
        }
    }
}

/// <summary>
/// A process's standard input: the exec's stdin, shared by the processes that inherit it. It is at
/// its end at once when the exec did not ask for stdin, and ends when the client closes it or goes.
/// Reads stop when the reading process is killed.
/// </summary>
internal sealed class ProcessInput(Stream stream)
{
    private readonly Lock gate = new();
    private Task tail = Task.CompletedTask;
    private readonly byte[] buffer = new byte[4096];
    private int start;
    private int end;
    private bool atEnd;

    /// <summary>An input at its end (/dev/null, or stdin not asked for).</summary>
    public static ProcessInput Empty() => new(Stream.Null);

    /// <summary>
    /// One line without its newline, as Python's <c>input()</c> reads it from a pipe: null at the end
    /// of input before any character (EOFError); a last line without newline is returned as it is.
    /// </summary>
    public Task<string?> ReadLineAsync(CancellationToken dying) => Serialized(() => ReadLineCoreAsync(dying));

    /// <summary>Everything to the end of input (<c>sys.stdin.read()</c>).</summary>
    public Task<string> ReadToEndAsync(CancellationToken dying) => Serialized(() => ReadToEndCoreAsync(dying));

    /// <summary>Reads one at a time, in the order asked for (processes sharing stdin read it in turn).</summary>
    private Task<T> Serialized<T>(Func<Task<T>> read)
    {
        lock (gate)
        {
            var next = tail.ContinueWith(_ => read(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            tail = next;
            return next;
        }
    }

    private async Task<string?> ReadLineCoreAsync(CancellationToken dying)
    {
        var line = new List<byte>();
        while (true)
        {
            if (start == end && !await FillAsync(dying))
            {
                return line.Count == 0 ? null : Encoding.UTF8.GetString([.. line]);
            }

            var b = buffer[start++];
            if (b == (byte)'\n')
            {
                return Encoding.UTF8.GetString([.. line]);
            }

            line.Add(b);
        }
    }

    private async Task<string> ReadToEndCoreAsync(CancellationToken dying)
    {
        var all = new List<byte>();
        while (start < end || await FillAsync(dying))
        {
            all.AddRange(buffer.AsSpan(start, end - start).ToArray());
            start = end;
        }

        return Encoding.UTF8.GetString([.. all]);
    }

    private async Task<bool> FillAsync(CancellationToken dying)
    {
        if (atEnd)
        {
            return false;
        }

        var read = await stream.ReadAsync(buffer, dying);
        if (read == 0)
        {
            atEnd = true;
            return false;
        }

        start = 0;
        end = read;
        return true;
    }
}
