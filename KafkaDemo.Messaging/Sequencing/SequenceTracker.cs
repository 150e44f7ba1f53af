namespace KafkaDemo.Messaging.Sequencing;

/// <summary>
/// Tracks sequence numbers per <see cref="StreamKey"/> and classifies each arrival.
/// </summary>
/// <remarks>
/// <para>Each stream keeps its highest number and a bitmap of the last <see cref="WindowSize"/>
/// numbers, so a late arrival can be told from a duplicate.</para>
/// <para>A jump forward counts the skipped numbers as <see cref="SequenceCounts.Gaps"/>, unless the
/// partition's Kafka offsets also jumped since the stream's previous message: then records were
/// removed from the log (retention) before this consumer read them, and the skipped numbers count
/// as <see cref="SequenceCounts.Truncated"/>. Offsets are judged per partition, not per stream,
/// because several producers share a partition. Every record, valid or not, must therefore be
/// reported, through <see cref="Observe"/> or <see cref="ObserveUnverified"/>.</para>
/// <para>The size of every such jump, in records, is <see cref="SequenceCounts.Lost"/>: what the
/// log removed before this consumer read it. Kafka's offsets are contiguous in a topic that is
/// neither compacted nor transactional (ours), so a jump is a removal. It is counted from the
/// offset the consumer was due to read next: the one after the last it read, or, for a partition
/// resumed with <see cref="ResumePartition"/>, the one after the last its previous run handled.
/// The first record of a partition this consumer knows nothing about is a baseline: another group
/// member may have read what came before it.</para>
/// <para>When a partition is revoked, <see cref="ForgetPartition"/> drops what is known about it:
/// whoever reads it next starts a new baseline, and nothing read by another group member is
/// counted as lost.</para>
/// <para>A record at an offset this consumer (or, after <see cref="ResumePartition"/>, the previous
/// run of this consumer) already handled is <see cref="SequenceObservation.Redelivered"/>: its
/// first reading judged it. It still advances its stream, so what follows is judged as usual.</para>
/// <para>Only one thread may call the mutating methods; <see cref="Counts"/> may be read from any
/// thread. Observing a known stream allocates nothing.</para>
/// </remarks>
public sealed class SequenceTracker
{
    /// <summary>How many recent numbers per stream are remembered for duplicate and late detection.</summary>
    public const int WindowSize = 1 << 16;

    private const int WordCount = WindowSize / 64;

    private readonly Dictionary<StreamKey, StreamState> _streams = [];
    private readonly Dictionary<(string Topic, int Partition), PartitionState> _partitions = [];
    private readonly Dictionary<Guid, long> _latestEpochs = [];
    private readonly int _maxStreams;
    private long _gaps;
    private long _duplicates;
    private long _redelivered;
    private long _outOfOrder;
    private long _truncated;
    private long _lost;
    private long _restarts;
    private int _streamCount;

    /// <param name="maxStreams">Streams kept at most; the least recently seen is forgotten beyond that.</param>
    public SequenceTracker(int maxStreams = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStreams, 1);
        _maxStreams = maxStreams;
    }

    public SequenceCounts Counts => new(
        Volatile.Read(ref _streamCount),
        Interlocked.Read(ref _gaps),
        Interlocked.Read(ref _duplicates),
        Interlocked.Read(ref _redelivered),
        Interlocked.Read(ref _outOfOrder),
        Interlocked.Read(ref _truncated),
        Interlocked.Read(ref _restarts),
        Interlocked.Read(ref _lost));

    /// <summary>Records a verified message.</summary>
    /// <param name="key">Its stream.</param>
    /// <param name="sequence">Its sequence number in the stream.</param>
    /// <param name="offset">Its Kafka offset in <c>key.Topic</c>/<c>key.Partition</c>.</param>
    /// <param name="observedAt">A monotonic stamp (any unit) used only to forget idle streams first.</param>
    public SequenceObservation Observe(in StreamKey key, long sequence, long offset, long observedAt = 0)
    {
        var partition = ObservePartitionOffset(key.Topic, key.Partition, offset, out var reread);

        if (!_streams.TryGetValue(key, out var state))
        {
            AddStream(key, sequence, partition.Skips, observedAt);
            return reread ? Redelivered() : SequenceObservation.FirstInStream;
        }

        state.LastSeen = observedAt;
        var delta = sequence - state.Highest;
        if (reread)
        {
            // Handled before: any gap or repeat in it was counted then. Only keep the stream's place.
            if (delta > 0)
            {
                state.Advance(sequence, gapFillable: false, partition.Skips);
            }
            else if (-delta < WindowSize)
            {
                state.TryFill(sequence);
            }

            return Redelivered();
        }

        if (delta == 1)
        {
            state.Advance(sequence, gapFillable: true, partition.Skips);
            return SequenceObservation.InOrder;
        }

        if (delta > 1)
        {
            var skipped = delta - 1;
            var truncated = partition.Skips != state.PartitionSkips;
            state.Advance(sequence, gapFillable: !truncated, partition.Skips);
            if (truncated)
            {
                Interlocked.Add(ref _truncated, skipped);
                return SequenceObservation.Truncated;
            }

            Interlocked.Add(ref _gaps, skipped);
            return SequenceObservation.Gap;
        }

        state.PartitionSkips = partition.Skips;
        if (-delta < WindowSize && state.TryFill(sequence))
        {
            Interlocked.Increment(ref _outOfOrder);
            Interlocked.Decrement(ref _gaps);
            return SequenceObservation.OutOfOrder;
        }

        // Already seen at a new offset (or older than the window, where it cannot be told apart):
        // the log holds a second copy, written twice by the producer side.
        Interlocked.Increment(ref _duplicates);
        return SequenceObservation.Duplicate;
    }

    /// <summary>
    /// Tells the tracker that a previous run of this consumer handled <paramref name="topic"/>/<paramref name="partition"/>
    /// up to <paramref name="handledThrough"/>: records up to that offset, read again now, are redelivered,
    /// and records after it that the log no longer has are <see cref="SequenceCounts.Lost"/>.
    /// </summary>
    public void ResumePartition(string topic, int partition, long handledThrough)
    {
        ForgetPartition(topic, partition);
        _partitions[(topic, partition)] = new PartitionState { LastOffset = handledThrough };
    }

    /// <summary>Records the offset of a record that is not a verified envelope, so it is not taken for a log skip.</summary>
    public void ObserveUnverified(string topic, int partition, long offset) => ObservePartitionOffset(topic, partition, offset, out _);

    /// <summary>Forgets a partition and its streams, for example when it is revoked from this consumer.</summary>
    public void ForgetPartition(string topic, int partition)
    {
        _partitions.Remove((topic, partition));
        List<StreamKey>? doomed = null;
        foreach (var key in _streams.Keys)
        {
            if (key.Partition == partition && string.Equals(key.Topic, topic, StringComparison.Ordinal))
            {
                (doomed ??= []).Add(key);
            }
        }

        if (doomed is null)
        {
            return;
        }

        foreach (var key in doomed)
        {
            _streams.Remove(key);
        }

        Volatile.Write(ref _streamCount, _streams.Count);
    }

    private SequenceObservation Redelivered()
    {
        Interlocked.Increment(ref _redelivered);
        return SequenceObservation.Redelivered;
    }

    private PartitionState ObservePartitionOffset(string topic, int partition, long offset, out bool reread)
    {
        reread = false;
        if (!_partitions.TryGetValue((topic, partition), out var state))
        {
            state = new PartitionState { LastOffset = offset };
            _partitions[(topic, partition)] = state;
            return state;
        }

        reread = offset <= state.LastOffset;

        if (offset > state.LastOffset + 1)
        {
            state.Skips++;
            Interlocked.Add(ref _lost, offset - state.LastOffset - 1);
        }

        if (offset > state.LastOffset)
        {
            state.LastOffset = offset;
        }

        return state;
    }

    private void AddStream(in StreamKey key, long sequence, long partitionSkips, long observedAt)
    {
        if (_latestEpochs.TryGetValue(key.ProducerId, out var latest))
        {
            if (key.Epoch > latest)
            {
                Interlocked.Increment(ref _restarts);
                _latestEpochs[key.ProducerId] = key.Epoch;
            }
        }
        else
        {
            _latestEpochs[key.ProducerId] = key.Epoch;
        }

        if (_streams.Count >= _maxStreams)
        {
            EvictLeastRecentlySeen();
        }

        _streams[key] = new StreamState(sequence, partitionSkips, observedAt);
        Volatile.Write(ref _streamCount, _streams.Count);
    }

    private void EvictLeastRecentlySeen()
    {
        var oldest = default(StreamKey);
        var oldestSeen = long.MaxValue;
        foreach (var (key, state) in _streams)
        {
            if (state.LastSeen < oldestSeen)
            {
                oldestSeen = state.LastSeen;
                oldest = key;
            }
        }

        _streams.Remove(oldest);
    }

    private sealed class PartitionState
    {
        public long LastOffset { get; set; }

        /// <summary>How many times the offsets jumped forward (records this consumer never saw).</summary>
        public long Skips { get; set; }
    }

    private sealed class StreamState
    {
        // Bit (n % WindowSize) is set when number n, within (Highest - WindowSize, Highest], arrived
        // or can no longer arrive (truncated). A clear bit in the window is a gap that may still be filled.
        private readonly ulong[] _seen = new ulong[WordCount];

        public StreamState(long first, long partitionSkips, long observedAt)
        {
            Highest = first;
            PartitionSkips = partitionSkips;
            LastSeen = observedAt;
            // Everything before the first number is outside this consumer's knowledge: mark it seen.
            Array.Fill(_seen, ulong.MaxValue);
        }

        public long Highest { get; private set; }

        /// <summary>The partition's skip count when this stream last advanced.</summary>
        public long PartitionSkips { get; set; }

        public long LastSeen { get; set; }

        public void Advance(long sequence, bool gapFillable, long partitionSkips)
        {
            var skipped = sequence - Highest - 1;
            if (skipped >= WindowSize)
            {
                Array.Fill(_seen, gapFillable ? 0UL : ulong.MaxValue);
            }
            else
            {
                for (var n = Highest + 1; n < sequence; n++)
                {
                    SetBit(n, !gapFillable);
                }
            }

            SetBit(sequence, true);
            Highest = sequence;
            PartitionSkips = partitionSkips;
        }

        public bool TryFill(long sequence)
        {
            var (word, mask) = Locate(sequence);
            if ((_seen[word] & mask) != 0)
            {
                return false;
            }

            _seen[word] |= mask;
            return true;
        }

        private void SetBit(long sequence, bool value)
        {
            var (word, mask) = Locate(sequence);
            _seen[word] = value ? _seen[word] | mask : _seen[word] & ~mask;
        }

        private static (int Word, ulong Mask) Locate(long sequence)
        {
            var bit = (int)(sequence & (WindowSize - 1));
            return (bit >> 6, 1UL << (bit & 63));
        }
    }
}
