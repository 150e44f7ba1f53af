using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using KafkaDemo.EmbeddedKafka.Native;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Messaging.Topics;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.EmbeddedKafka.Cluster;

/// <summary>
/// A Kafka cluster that speaks the real protocol, in this process, with no Docker: librdkafka's
/// mock cluster (rdkafka_mock.h), optionally moved onto fixed ports. Thread-safe.
/// </summary>
public sealed partial class EmbeddedKafkaCluster : IFaultableCluster, IDisposable
{
    private static readonly ConcurrentDictionary<nint, ILogger> Loggers = new();
    private static long s_failedLogLines;

    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private readonly IPAddress _address;
    private readonly int[] _ephemeralPorts;
    private readonly int[] _reservations;
    private readonly int[] _ports;
    private readonly bool[] _up;
    private readonly int[] _rttMs;
    private nint _rk;
    private nint _mcluster;

    private EmbeddedKafkaCluster(EmbeddedKafkaOptions options, ILogger logger)
    {
        _logger = logger;
        _address = IPAddress.Parse(options.Host);
        _ephemeralPorts = new int[options.Brokers];
        _reservations = Enumerable.Repeat(-1, options.Brokers).ToArray();
        _ports = new int[options.Brokers];
        _up = Enumerable.Repeat(true, options.Brokers).ToArray();
        _rttMs = new int[options.Brokers];
    }

    /// <summary>Comma-separated host:port of every broker, for <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers => string.Join(',', _ports.Select(p => $"{_address}:{p}"));

    /// <summary>The librdkafka version that implements the brokers.</summary>
    public static string LibrdkafkaVersion => Librdkafka.Version;

    public int BrokerCount => _ports.Length;

    public IReadOnlyList<BrokerStatus> Brokers
    {
        get
        {
            lock (_gate)
            {
                return [.. _ports.Select((port, i) => new BrokerStatus(i + 1, $"{_address}:{port}", _up[i], _rttMs[i]))];
            }
        }
    }

    /// <summary>Starts the brokers, moves them to their ports and creates the configured topics.</summary>
    /// <exception cref="DllNotFoundException">librdkafka cannot be loaded.</exception>
    /// <exception cref="IOException">A fixed port cannot be bound.</exception>
    public static EmbeddedKafkaCluster Start(EmbeddedKafkaOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var validation = new EmbeddedKafkaOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage, nameof(options));
        }

        var cluster = new EmbeddedKafkaCluster(options, logger);
        try
        {
            cluster.CreateNative(options);
            cluster.MoveToPorts(options);
            foreach (var topic in TopicSpec.Parse(options.Topics).Names)
            {
                cluster.CreateTopic(topic, options.Partitions, options.ReplicationFactor);
            }

            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    public void CreateTopic(string name, int partitions, int replicationFactor)
    {
        lock (_gate)
        {
            Check(Librdkafka.MockTopicCreate(Live(), name, partitions, replicationFactor), $"create topic '{name}'");
        }

        LogTopicCreated(_logger, name, partitions, replicationFactor);
    }

    /// <summary>Deletes the records of a partition before <paramref name="beforeOffset"/> (advances its log start offset).</summary>
    public void DeleteRecords(string topic, int partition, long beforeOffset)
    {
        lock (_gate)
        {
            Check(Librdkafka.MockPartitionDeleteRecords(Live(), topic, partition, beforeOffset), $"delete records of {topic}[{partition}]");
        }
    }

    /// <summary>Stops a broker accepting connections and closes its existing ones.</summary>
    public void SetBrokerDown(int brokerId)
    {
        var index = Index(brokerId);
        lock (_gate)
        {
            if (!_up[index])
            {
                return;
            }

            var mcluster = Live();

            // librdkafka binds the broker's own port again as it goes down, and aborts if it cannot:
            // let go of the reservation that kept the port from anyone else just before.
            FixedPortListener.Release(_reservations[index]);
            _reservations[index] = -1;
            Check(Librdkafka.MockBrokerSetDown(mcluster, brokerId), $"set broker {brokerId} down");
            _up[index] = false;
        }

        LogBrokerDown(_logger, brokerId);
    }

    /// <summary>Lets a broker accept connections again, on the same port.</summary>
    /// <exception cref="IOException">
    /// Its fixed port was taken by another socket while it was down. Nothing changed: the broker is
    /// still down and listens nowhere (not on its own ephemeral port either); free the port and try again.
    /// </exception>
    public void SetBrokerUp(int brokerId)
    {
        var index = Index(brokerId);
        lock (_gate)
        {
            if (_up[index])
            {
                return;
            }

            var listener = -1;
            if (_ports[index] != _ephemeralPorts[index])
            {
                // The fixed port first: if it is taken, fail before librdkafka listens anywhere.
                (listener, _reservations[index]) = FixedPortListener.Reattach(_address, _ephemeralPorts[index], _ports[index]);
            }

            Check(Librdkafka.MockBrokerSetUp(Live(), brokerId), $"set broker {brokerId} up");
            if (listener >= 0)
            {
                // librdkafka listened again with its own small backlog; restore ours.
                PosixSockets.Listen(listener);
            }

            _up[index] = true;
        }

        LogBrokerUp(_logger, brokerId);
    }

    /// <summary>The port librdkafka bound a broker to, before it was moved to its fixed port.</summary>
    internal int EphemeralPort(int brokerId) => _ephemeralPorts[Index(brokerId)];

    /// <summary>Adds <paramref name="rttMs"/> of round-trip latency to every response of a broker.</summary>
    public void SetBrokerRtt(int brokerId, int rttMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rttMs);
        var index = Index(brokerId);
        lock (_gate)
        {
            Check(Librdkafka.MockBrokerSetRtt(Live(), brokerId, rttMs), $"set broker {brokerId} latency");
            _rttMs[index] = rttMs;
        }

        LogBrokerRtt(_logger, brokerId, rttMs);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            // The mock cluster must go before the client that hosts it; the other order aborts the process.
            if (_mcluster != 0)
            {
                Librdkafka.MockClusterDestroy(_mcluster);
                _mcluster = 0;
            }

            if (_rk != 0)
            {
                Librdkafka.Destroy(_rk);
                Loggers.TryRemove(_rk, out _);
                _rk = 0;
            }

            for (var i = 0; i < _reservations.Length; i++)
            {
                FixedPortListener.Release(_reservations[i]);
                _reservations[i] = -1;
            }
        }
    }

    private unsafe void CreateNative(EmbeddedKafkaOptions options)
    {
        var conf = Librdkafka.ConfNew();
        var errors = new byte[512];
        fixed (byte* errstr = errors)
        {
            SetConf(conf, "client.id", "kafkademo-embedded-kafka", errstr, errors);
            SetConf(conf, "log_level", "6", errstr, errors);
            if (!string.IsNullOrWhiteSpace(options.Debug))
            {
                SetConf(conf, "debug", options.Debug, errstr, errors);
            }

            Librdkafka.ConfSetLogCallback(conf, &OnLog);
            _rk = Librdkafka.New(Librdkafka.ProducerType, conf, errstr, (nuint)errors.Length);
            if (_rk == 0)
            {
                Librdkafka.ConfDestroy(conf);
                throw new InvalidOperationException($"librdkafka could not create the host client: {Text(errors)}");
            }
        }

        Loggers[_rk] = _logger;
        _mcluster = Librdkafka.MockClusterNew(_rk, options.Brokers);
        if (_mcluster == 0)
        {
            throw new InvalidOperationException("librdkafka could not create the mock cluster; see the log above.");
        }

        Librdkafka.MockGroupInitialRebalanceDelayMs(_mcluster, options.GroupInitialRebalanceDelayMs);
        var bootstraps = Librdkafka.MockClusterBootstraps(_mcluster).Split(',', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < _ephemeralPorts.Length; i++)
        {
            _ephemeralPorts[i] = int.Parse(bootstraps[i][(bootstraps[i].LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        }
    }

    private void MoveToPorts(EmbeddedKafkaOptions options)
    {
        var wanted = options.BrokerPorts().ToArray();
        for (var i = 0; i < wanted.Length; i++)
        {
            var brokerId = i + 1;
            if (wanted[i] == 0)
            {
                _ports[i] = _ephemeralPorts[i];
                continue;
            }

            _reservations[i] = FixedPortListener.Adopt(_address, _ephemeralPorts[i], wanted[i]);
            Librdkafka.MockBrokerSetHostPort(_mcluster, brokerId, options.Host, wanted[i]);
            _ports[i] = wanted[i];
        }
    }

    private nint Live() => _mcluster != 0 ? _mcluster : throw new ObjectDisposedException(nameof(EmbeddedKafkaCluster));

    private int Index(int brokerId)
    {
        if (brokerId < 1 || brokerId > _ports.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(brokerId), brokerId, $"Brokers are numbered 1 to {_ports.Length}.");
        }

        return brokerId - 1;
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"The mock cluster could not {what}: {Librdkafka.ErrorText(error)}.");
        }
    }

    private static unsafe void SetConf(nint conf, string name, string value, byte* errstr, byte[] errors)
    {
        if (Librdkafka.ConfSet(conf, name, value, errstr, (nuint)errors.Length) != Librdkafka.ConfOk)
        {
            Librdkafka.ConfDestroy(conf);
            throw new ArgumentException($"librdkafka rejected {name}={value}: {Text(errors)}");
        }
    }

    private static string Text(byte[] nulTerminated)
    {
        var end = Array.IndexOf(nulTerminated, (byte)0);
        return Encoding.UTF8.GetString(nulTerminated, 0, end < 0 ? nulTerminated.Length : end);
    }

    /// <summary>librdkafka's log callback, on its own threads. Nothing may escape it: an exception thrown back into native code ends the process.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnLog(nint rk, int level, byte* facility, byte* message)
    {
        try
        {
            Log(rk, level, facility, message);
        }
        catch (Exception ex)
        {
            // Said once on standard error (the logger is what failed); after that only counted.
            if (Interlocked.Increment(ref s_failedLogLines) == 1)
            {
                try
                {
                    Console.Error.WriteLine($"librdkafka log lines cannot be logged ({ex.GetType().Name}: {ex.Message}); further failures are only counted.");
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary>Log lines from librdkafka that could not be written (the logger threw).</summary>
    internal static long FailedLogLines => Interlocked.Read(ref s_failedLogLines);

    private static unsafe void Log(nint rk, int level, byte* facility, byte* message)
    {
        if (!Loggers.TryGetValue(rk, out var logger))
        {
            return;
        }

        var logLevel = level switch
        {
            <= 2 => LogLevel.Critical,
            3 => LogLevel.Error,
            4 => LogLevel.Warning,
            5 or 6 => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        if (logger.IsEnabled(logLevel))
        {
            LogNative(
                logger,
                logLevel,
                Marshal.PtrToStringUTF8((nint)facility) ?? "",
                Marshal.PtrToStringUTF8((nint)message) ?? "");
        }
    }

    [LoggerMessage(Message = "librdkafka {Facility}: {Text}")]
    private static partial void LogNative(ILogger logger, LogLevel level, string facility, string text);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topic {Topic} with {Partitions} partitions and replication factor {ReplicationFactor}")]
    private static partial void LogTopicCreated(ILogger logger, string topic, int partitions, int replicationFactor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker {BrokerId} is down")]
    private static partial void LogBrokerDown(ILogger logger, int brokerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Broker {BrokerId} is up")]
    private static partial void LogBrokerUp(ILogger logger, int brokerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Broker {BrokerId} round-trip latency set to {RttMs} ms")]
    private static partial void LogBrokerRtt(ILogger logger, int brokerId, int rttMs);
}
