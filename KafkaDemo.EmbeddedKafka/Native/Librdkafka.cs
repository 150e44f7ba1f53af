using System.Runtime.InteropServices;

namespace KafkaDemo.EmbeddedKafka.Native;

/// <summary>
/// The part of librdkafka's C API the embedded broker uses: client creation (to host the mock
/// cluster) and the mock cluster API from rdkafka_mock.h. Signatures follow librdkafka 2.16.
/// </summary>
internal static unsafe partial class Librdkafka
{
    public const int ProducerType = 0;
    public const int ConfOk = 0;

    static Librdkafka() => LibrdkafkaLoader.Install();

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_version_str")]
    private static partial nint VersionStrNative();

    public static string Version => Marshal.PtrToStringUTF8(VersionStrNative()) ?? "unknown";

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_conf_new")]
    public static partial nint ConfNew();

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_conf_destroy")]
    public static partial void ConfDestroy(nint conf);

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfSet(nint conf, string name, string value, byte* errstr, nuint errstrSize);

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_conf_set_log_cb")]
    public static partial void ConfSetLogCallback(nint conf, delegate* unmanaged[Cdecl]<nint, int, byte*, byte*, void> callback);

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_new")]
    public static partial nint New(int type, nint conf, byte* errstr, nuint errstrSize);

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_destroy")]
    public static partial void Destroy(nint rk);

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_err2str")]
    private static partial nint Err2StrNative(int err);

    public static string ErrorText(int err) => Marshal.PtrToStringUTF8(Err2StrNative(err)) ?? $"error {err}";

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_mock_cluster_new")]
    public static partial nint MockClusterNew(nint rk, int brokerCount);

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    public static partial void MockClusterDestroy(nint mcluster);

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    private static partial nint MockClusterBootstrapsNative(nint mcluster);

    public static string MockClusterBootstraps(nint mcluster) => Marshal.PtrToStringUTF8(MockClusterBootstrapsNative(mcluster)) ?? "";

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MockTopicCreate(nint mcluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_mock_partition_delete_records", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MockPartitionDeleteRecords(nint mcluster, string topic, int partition, long beforeOffset);

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_mock_broker_set_down")]
    public static partial int MockBrokerSetDown(nint mcluster, int brokerId);

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_mock_broker_set_up")]
    public static partial int MockBrokerSetUp(nint mcluster, int brokerId);

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_mock_broker_set_rtt")]
    public static partial int MockBrokerSetRtt(nint mcluster, int brokerId, int rttMs);

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_mock_broker_set_host_port", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void MockBrokerSetHostPort(nint mcluster, int brokerId, string host, int port);

    [LibraryImport(LibrdkafkaLoader.LibraryName, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    public static partial void MockGroupInitialRebalanceDelayMs(nint mcluster, int delayMs);
}
