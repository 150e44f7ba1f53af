namespace KafkaDemo.AppHost.Extensions;

/// <summary>
/// Process settings that keep each service's resident memory small and flat (issue 18: under
/// 200 MB at 50,000 msg/s; measured lever by lever in docs/performance.md, memory). Both must be in
/// the environment before the process starts, so the AppHost sets them on every service it runs
/// (and the Dockerfiles set the same for the images).
/// </summary>
public static class ServiceMemoryExtensions
{
    /// <summary>
    /// glibc's malloc arenas: by default up to 8 per core, each keeping the memory its threads freed.
    /// librdkafka allocates and frees its buffers on a thread per broker plus its own, so the
    /// Kafka clients and the embedded Kafka spread their freed buffers over many arenas; two keep it
    /// together. Ignored by other C libraries.
    /// </summary>
    public const string MallocArenaMax = "2";

    /// <summary>
    /// The GC's gen0 budget, 6 MiB (hexadecimal, as the runtime reads it). Workstation GC otherwise
    /// sizes it from the L3 cache, 25 MB on a 32 MB L3, and keeps that much committed in every
    /// process. Only the environment variable sets it: dotnet/runtime src/coreclr/gc/gcconfig.h
    /// declares GCgen0size with no public (runtimeconfig.json) name.
    /// </summary>
    public const string Gen0Size = "0x600000";

    /// <summary>Sets <see cref="MallocArenaMax"/> and <see cref="Gen0Size"/> for the service's process.</summary>
    public static IResourceBuilder<T> WithServiceMemorySettings<T>(this IResourceBuilder<T> service)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(service);
        return service
            .WithEnvironment("MALLOC_ARENA_MAX", MallocArenaMax)
            .WithEnvironment("DOTNET_GCgen0size", Gen0Size);
    }
}
