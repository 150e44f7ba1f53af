using k8s;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.KubernetesApi;

/// <summary>
/// The Kubernetes API of the cluster Kafka runs in, through KubernetesClient, when there is one.
/// It follows the kubeconfig file: when the AppHost recreates the cluster it writes a new one (a new
/// API port, new credentials) at the same path, and the next <see cref="Client"/> is built from it;
/// the old client is disposed. So callers take <see cref="Client"/> for each use and never keep it;
/// one that keeps a call open (a watch) takes <see cref="Current"/>, whose token fires when the
/// client is replaced: disposing a client does not end a response it is already streaming.
/// In a pod (<see cref="ClusterOptions.InCluster"/>) there is no file to follow: one client, built
/// at first use, whose bearer token is the service account token read again as the kubelet rotates
/// it (<see cref="ServiceAccountToken"/>); its <see cref="ClusterClient.Replaced"/> never fires.
/// </summary>
public sealed partial class ClusterConnection(IOptions<ClusterOptions> options, TimeProvider time, ILogger<ClusterConnection> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private Kubernetes? _client;
    private CancellationTokenSource _replaced = new();
    private string? _loaded;
    private (DateTime Written, long Length) _seen;
    private bool _disposed;

    public ClusterOptions Options => options.Value;

    /// <summary>The client for the kubeconfig as it is now, or null when no cluster is configured.</summary>
    public IKubernetes? Client => Current?.Client;

    /// <summary>
    /// The client for the kubeconfig as it is now, with a token that fires when a changed kubeconfig
    /// replaces it; null when no cluster is configured (or its kubeconfig was never readable).
    /// </summary>
    public ClusterClient? Current
    {
        get
        {
            if (!Options.Enabled)
            {
                return null;
            }

            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (Options.InCluster)
                {
                    _client ??= InCluster();
                    return new ClusterClient(_client, CancellationToken.None);
                }

                Reload();
                return _client is null ? null : new ClusterClient(_client, _replaced.Token);
            }
        }
    }

    /// <summary>
    /// The client as the pod's service account, built as KubernetesClient's InClusterConfig builds
    /// it (KubernetesClientConfiguration.InCluster.cs: https to KUBERNETES_SERVICE_HOST and _PORT,
    /// the CA from ca.crt, the token from the token file), from <see cref="ClusterOptions.ServiceAccountPath"/>.
    /// The options' validation checked the files and the address at start.
    /// </summary>
    private Kubernetes InCluster()
    {
        // CertUtils.LoadPemFileCert, which InClusterConfig uses, is internal; .NET reads the PEM bundle itself.
        var authorities = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        authorities.ImportFromPemFile(Options.CertificateAuthorityFile);
        var configuration = new KubernetesClientConfiguration
        {
            Host = Options.ApiServer.ToString(),
            SslCaCerts = authorities,
            TokenProvider = new ServiceAccountToken(Options.TokenFile, time, logger),
            HttpClientTimeout = TimeSpan.FromSeconds(Options.RequestTimeoutSeconds),
        };
        LogInCluster(logger, configuration.Host, Options.ServiceAccountPath);
        return new Kubernetes(configuration);
    }

    /// <summary>Builds a new client when the file's content changed; keeps the current one when it cannot be read.</summary>
    private void Reload()
    {
        var path = Options.Kubeconfig!;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return; // being rewritten, or the cluster is gone: the calls on the current client fail and are retried
            }

            var stamp = (info.LastWriteTimeUtc, info.Length);
            if (_client is not null && stamp == _seen)
            {
                return;
            }

            var content = File.ReadAllText(path);
            if (content == _loaded)
            {
                _seen = stamp;
                return;
            }

            using var reader = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
            var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(reader);

            // KubernetesClient applies HttpClientTimeout to every call but a watch (its generated
            // operations: cts.CancelAfter(HttpClientTimeout), Infinite when watch=true); the caller
            // sees an OperationCanceledException while its own token is live.
            configuration.HttpClientTimeout = TimeSpan.FromSeconds(Options.RequestTimeoutSeconds);
            var replaced = _client;
            _client = new Kubernetes(configuration);
            _loaded = content;
            _seen = stamp;
            if (replaced is not null)
            {
                LogReloaded(logger, path, configuration.Host);

                // Not disposed: a token handed out may still be linked to; a cancelled source holds nothing.
                var old = _replaced;
                _replaced = new CancellationTokenSource();
                old.Cancel();
                replaced.Dispose();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or k8s.Exceptions.KubeConfigException or YamlDotNet.Core.YamlException or ArgumentException or FormatException)
        {
            // A file caught half-written: keep the current client and read it again next time.
            LogUnreadable(logger, path, ex.Message);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _client?.Dispose();
            _client = null;
            _replaced.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The kubeconfig {Path} changed: the Overseer now talks to {Host}")]
    private static partial void LogReloaded(ILogger logger, string path, string host);

    [LoggerMessage(Level = LogLevel.Information, Message = "The Overseer talks to the API server {Host} as its pod's service account ({Path})")]
    private static partial void LogInCluster(ILogger logger, string host, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The kubeconfig {Path} could not be read; keeping the current client: {Message}")]
    private static partial void LogUnreadable(ILogger logger, string path, string message);
}

/// <summary>A client of the cluster, and a token that fires once a changed kubeconfig replaced it.</summary>
public sealed record ClusterClient(IKubernetes Client, CancellationToken Replaced);
