using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Text;

namespace KafkaDemo.Consumer.Positions;

/// <summary>
/// How far this consumer has handled each of its partitions, kept in a small memory-mapped file
/// that outlives the process: a store into a shared mapping reaches the kernel's page cache at
/// once, so even a SIGKILL cannot lose it. When the consumer starts again in the same group, the
/// group's committed offset tells it where it resumes, and this file tells it which of the
/// records it is about to read its previous run had already verified: those are redelivered, not
/// new messages, duplicates or gaps.
/// </summary>
/// <remarks>
/// <para>File layout (little-endian): a 16-byte header ("KDRP", version 1, slot count, 0), then
/// <see cref="SlotCount"/> slots of 32 bytes: topic hash (FNV-1a 64 of the topic name's UTF-16
/// code units; 0 = empty, all ones = released), partition (int32), 4 reserved bytes, the highest
/// offset handled, and the last offset the group committed for it as far as this consumer saw
/// (-1 if none). Slots are found by linear probing from the hash.</para>
/// <para>A slot is trusted only while it is consistent with the group's committed offset
/// <c>C</c>: last seen commit ≤ <c>C</c> ≤ highest handled + 1. Anything else (a file from
/// another cluster, or a partition another member moved on) is ignored and overwritten. A slot is
/// cleared when its partition is revoked or lost, after which another member owns its progress.</para>
/// <para>One process may hold the file at a time; a second consumer with the same group and
/// instance name runs without one (and says so). Not thread-safe: the consume thread uses it,
/// including from the rebalance and commit callbacks, which run on that thread.</para>
/// </remarks>
public sealed class ReadPositions : IDisposable
{
    public const int SlotCount = 4096;
    public const int HeaderSize = 16;
    public const int SlotSize = 32;
    public const long FileSize = HeaderSize + ((long)SlotCount * SlotSize);
    private const int Magic = 0x5052444B; // "KDRP"
    private const int FormatVersion = 1;
    private const ulong Empty = 0;
    private const ulong Released = ulong.MaxValue;

    private readonly FileStream? _file;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly Dictionary<(string Topic, int Partition), int> _slots = [];
    private string? _lastTopic;
    private int _lastPartition = -1;
    private int _lastSlot = -1;

    private ReadPositions(FileStream? file, MemoryMappedFile? map, MemoryMappedViewAccessor? view, string? problem)
    {
        _file = file;
        _map = map;
        _view = view;
        Problem = problem;
    }

    /// <summary>Why positions are not kept (the consumer then works, without knowing what a previous run handled), or null.</summary>
    public string? Problem { get; }

    public bool IsKept => _view is not null;

    /// <summary>Opens (or creates) the file at <paramref name="path"/>; never throws for an unusable file.</summary>
    public static ReadPositions Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream? file = null;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            var fresh = file.Length != FileSize;
            if (fresh)
            {
                file.SetLength(0);
                file.SetLength(FileSize);
            }

            var map = MemoryMappedFile.CreateFromFile(file, null, FileSize, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
            var view = map.CreateViewAccessor(0, FileSize);
            if (fresh || view.ReadInt32(0) != Magic || view.ReadInt32(4) != FormatVersion || view.ReadInt32(8) != SlotCount)
            {
                for (long offset = 0; offset < FileSize; offset += 8)
                {
                    view.Write(offset, 0L);
                }

                view.Write(0, Magic);
                view.Write(4, FormatVersion);
                view.Write(8, SlotCount);
            }

            return new ReadPositions(file, map, view, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            file?.Dispose();
            return new ReadPositions(null, null, null, $"{path}: {ex.Message}");
        }
    }

    /// <summary>Positions kept nowhere, for runs that need none (standalone, tests).</summary>
    public static ReadPositions None(string why) => new(null, null, null, why);

    /// <summary>The file name for a consumer: one per group, instance and cluster.</summary>
    public static string FileName(string groupId, string instanceId, string bootstrapServers)
    {
        var name = $"{groupId}.{instanceId}";
        var safe = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        return FormattableString.Invariant($"{safe}.{Hash(bootstrapServers ?? ""):x16}.positions");
    }

    /// <summary>
    /// At assignment: how far the previous run handled this partition, if that is consistent with
    /// the group's <paramref name="committed"/> offset (negative when the group never committed it);
    /// otherwise null, and what the file held for it is dropped.
    /// </summary>
    public long? Resume(string topic, int partition, long committed)
    {
        if (_view is null || !TryFind(topic, partition, create: false, out var slot))
        {
            return null;
        }

        var handled = _view.ReadInt64(SlotOffset(slot) + 16);
        var lastCommit = _view.ReadInt64(SlotOffset(slot) + 24);
        if (committed >= 0 && lastCommit <= committed && committed <= handled + 1)
        {
            return handled;
        }

        Release(topic, partition);
        return null;
    }

    /// <summary>A record at <paramref name="offset"/> was verified and recorded. Called for every record: no allocation for a known partition.</summary>
    public void Handled(string topic, int partition, long offset)
    {
        if (_view is null)
        {
            return;
        }

        int slot;
        if (partition == _lastPartition && ReferenceEquals(topic, _lastTopic))
        {
            slot = _lastSlot;
        }
        else if (!TryFind(topic, partition, create: true, out slot))
        {
            return; // the file is full: this partition's progress is not kept
        }
        else
        {
            (_lastTopic, _lastPartition, _lastSlot) = (topic, partition, slot);
        }

        _view.Write(SlotOffset(slot) + 16, offset);
    }

    /// <summary>The group committed <paramref name="offset"/> (the next offset to read) for a partition.</summary>
    public void Committed(string topic, int partition, long offset)
    {
        if (_view is not null && offset >= 0 && TryFind(topic, partition, create: false, out var slot))
        {
            _view.Write(SlotOffset(slot) + 24, offset);
        }
    }

    /// <summary>The partition was revoked or lost: its progress belongs to its next owner.</summary>
    public void Release(string topic, int partition)
    {
        if (_view is null || !TryFind(topic, partition, create: false, out var slot))
        {
            return;
        }

        // Released, not empty, so that keys further along the same probe chain stay reachable.
        _view.Write(SlotOffset(slot), Released);
        _slots.Remove((topic, partition));
        _lastPartition = -1;
        _lastTopic = null;
    }

    public void Dispose()
    {
        _view?.Flush();
        _view?.Dispose();
        _map?.Dispose();
        _file?.Dispose();
    }

    private bool TryFind(string topic, int partition, bool create, out int slot)
    {
        if (_slots.TryGetValue((topic, partition), out slot))
        {
            return true;
        }

        var hash = Hash(topic);
        var start = (int)((hash ^ (ulong)partition) % SlotCount);
        var free = -1;
        for (var i = 0; i < SlotCount; i++)
        {
            var candidate = (start + i) % SlotCount;
            var offset = SlotOffset(candidate);
            var stored = _view!.ReadUInt64(offset);
            if (stored == hash && _view.ReadInt32(offset + 8) == partition)
            {
                _slots[(topic, partition)] = slot = candidate;
                return true;
            }

            if (stored == Released && free < 0)
            {
                free = candidate;
            }
            else if (stored == Empty)
            {
                free = free < 0 ? candidate : free;
                break;
            }
        }

        slot = -1;
        if (!create || free < 0)
        {
            return false;
        }

        var taken = SlotOffset(free);
        _view!.Write(taken + 8, partition);
        _view.Write(taken + 16, -1L);
        _view.Write(taken + 24, -1L);
        _view.Write(taken, hash); // last: the slot is taken once its key is complete
        _slots[(topic, partition)] = slot = free;
        return true;
    }

    private static long SlotOffset(int slot) => HeaderSize + ((long)slot * SlotSize);

    /// <summary>FNV-1a, 64 bits, over the UTF-16 code units; never the two marker values.</summary>
    private static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash is Empty or Released ? 1 : hash;
    }
}
