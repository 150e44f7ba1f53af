using System.Runtime.InteropServices;

namespace KafkaDemo.EmbeddedKafka.Native;

/// <summary>
/// glibc's <c>malloc_trim</c>, where the C library has it. glibc keeps the memory a program frees
/// in its arenas for reuse and gives back to the system only the free space at the top of a heap,
/// above <c>M_TRIM_THRESHOLD</c>; <c>malloc_trim(0)</c> also releases every whole free page inside
/// the heaps (madvise MADV_DONTNEED), in every arena (glibc malloc/malloc.c: mtrim, since 2.8).
/// Other C libraries (musl) have no such function; <see cref="TryLoad"/> returns null there.
/// </summary>
internal static unsafe class GlibcMallocTrim
{
    /// <summary>The function, or null where this process's C library does not export it.</summary>
    public static Func<bool>? TryLoad()
    {
        if (!OperatingSystem.IsLinux()
            || !NativeLibrary.TryLoad("libc.so.6", out var libc)
            || !NativeLibrary.TryGetExport(libc, "malloc_trim", out var export))
        {
            return null;
        }

        // int malloc_trim(size_t pad): 1 if it gave memory back, 0 if there was nothing to give.
        return () => ((delegate* unmanaged<nuint, int>)export)(0) == 1;
    }
}
