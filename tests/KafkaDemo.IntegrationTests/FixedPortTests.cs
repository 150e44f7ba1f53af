extern alias embedded;

using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using embedded::KafkaDemo.EmbeddedKafka.Cluster;
using Microsoft.Extensions.Logging.Abstractions;
using KafkaDemo.TestSupport;

namespace KafkaDemo.IntegrationTests;

public sealed class FixedPortTests
{
    [Fact]
    public async Task Brokers_listen_and_advertise_on_the_fixed_ports_and_keep_them_across_an_outage()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Fixed embedded ports are implemented for Linux only.");
        var basePort = FreePorts.Block(3);
        using var cluster = EmbeddedKafkaCluster.Start(
            new EmbeddedKafkaOptions { Port = basePort, Topics = "fixed-ports", Partitions = 3, RetentionSeconds = 0 },
            NullLogger.Instance);

        Assert.Equal($"127.0.0.1:{basePort},127.0.0.1:{basePort + 1},127.0.0.1:{basePort + 2}", cluster.BootstrapServers);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = $"127.0.0.1:{basePort}" }).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        Assert.Equal([basePort, basePort + 1, basePort + 2], metadata.Brokers.OrderBy(b => b.BrokerId).Select(b => b.Port));
        Assert.All(metadata.Brokers, b => Assert.Equal("127.0.0.1", b.Host));

        cluster.SetBrokerDown(2);
        Assert.False(await AcceptsAsync(basePort + 1), "A broker that is down still accepts connections.");
        cluster.SetBrokerUp(2);
        Assert.True(await AcceptsAsync(basePort + 1), "The broker did not come back on its fixed port.");

        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, Acks = Acks.All }).Build();
        for (var partition = 0; partition < 3; partition++)
        {
            var result = await producer.ProduceAsync(new TopicPartition("fixed-ports", partition), new Message<Null, string> { Value = "hello" }, TestContext.Current.CancellationToken);
            Assert.Equal(PersistenceStatus.Persisted, result.Status);
        }
    }

    [Fact]
    public void A_port_in_use_gives_a_clear_error_naming_the_setting()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Fixed embedded ports are implemented for Linux only.");
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var error = Assert.Throws<IOException>(() => EmbeddedKafkaCluster.Start(
            new EmbeddedKafkaOptions { Port = port, Brokers = 1, ReplicationFactor = 1, Topics = "t", Partitions = 1, RetentionSeconds = 0 },
            NullLogger.Instance));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("EmbeddedKafka:Port", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_a_broker_is_up_its_own_port_stays_reserved_so_taking_it_down_cannot_abort_the_process()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Fixed embedded ports are implemented for Linux only.");
        var basePort = FreePorts.Block(3);
        using var cluster = EmbeddedKafkaCluster.Start(
            new EmbeddedKafkaOptions { Port = basePort, Topics = "reserved-ports", Partitions = 3, RetentionSeconds = 0 },
            NullLogger.Instance);

        // While a broker serves on its fixed port, librdkafka's own (ephemeral) port is idle. Had
        // another socket taken it, taking the broker down would rebind it, fail, and abort.
        // (.NET binds with SO_REUSEADDR, so this also shows a reusing socket is kept out.)
        for (var round = 0; round < 3; round++)
        {
            foreach (var broker in new[] { 1, 2, 3 })
            {
                using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                var error = Assert.Throws<SocketException>(() => stranger.Bind(new IPEndPoint(IPAddress.Loopback, cluster.EphemeralPort(broker))));
                Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
            }

            cluster.SetBrokerDown(2);
            Assert.False(await AcceptsAsync(basePort + 1), "A broker that is down still accepts connections.");
            Assert.False(await AcceptsAsync(cluster.EphemeralPort(2)), "A broker that is down listens on its own port.");
            cluster.SetBrokerUp(2);
            Assert.True(await AcceptsAsync(basePort + 1), "The broker did not come back on its fixed port.");
        }

        await AssertServesAsync(cluster, "reserved-ports");
    }

    [Fact]
    public async Task A_fixed_port_taken_while_its_broker_is_down_makes_bringing_it_up_fail_cleanly_with_no_impostor()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Fixed embedded ports are implemented for Linux only.");
        var basePort = FreePorts.Block(3);
        using var cluster = EmbeddedKafkaCluster.Start(
            new EmbeddedKafkaOptions { Port = basePort, Topics = "taken-port", Partitions = 3, RetentionSeconds = 0 },
            NullLogger.Instance);
        cluster.SetBrokerDown(2);

        using (var squatter = new TcpListener(IPAddress.Loopback, basePort + 1))
        {
            squatter.Start();

            var error = Assert.Throws<IOException>(() => cluster.SetBrokerUp(2));

            Assert.Contains($"127.0.0.1:{basePort + 1}", error.Message, StringComparison.Ordinal);
            Assert.False(cluster.Brokers.Single(b => b.Id == 2).Up, "The broker is reported up although it could not come back.");
            Assert.False(await AcceptsAsync(cluster.EphemeralPort(2)), "The broker came up on its own port, where no client looks for it.");
        }

        // Once the port is free again, the broker comes back where it belongs.
        cluster.SetBrokerUp(2);
        Assert.True(cluster.Brokers.Single(b => b.Id == 2).Up);
        Assert.True(await AcceptsAsync(basePort + 1), "The broker did not come back on its fixed port.");
        await AssertServesAsync(cluster, "taken-port");
    }

    private static async Task AssertServesAsync(EmbeddedKafkaCluster cluster, string topic)
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, Acks = Acks.All }).Build();
        for (var partition = 0; partition < 3; partition++)
        {
            var result = await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<Null, string> { Value = "hello" }, TestContext.Current.CancellationToken);
            Assert.Equal(PersistenceStatus.Persisted, result.Status);
        }
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
