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
/// In a pod (<see cref="ClusterOptions.InCluster"/>) the client's bearer token is the service account
/// token read again as the kubelet rotates it (<see cref="ServiceAccountToken"/>), and its CA bundle
/// (<c>ca.crt</c>) is read again on the same clock: a changed bundle builds a new client, since
/// KubernetesClient fixes the trusted CAs when it builds its HTTP handler, and the old one's
/// <see cref="ClusterClient.Replaced"/> fires. The kubelet publishes a rotated cluster CA there from
/// the <c>kube-root-ca.crt</c> ConfigMap, swapping the volume's files at once (kubernetes v1.32
/// pkg/volume/util/atomic_writer.go AtomicWriter.Write: a new timestamped directory, then the
/// <c>..data</c> symlink renamed over), so a read never sees half a file; one that fails to parse
/// anyway keeps the current client.
/// </summary>
public sealed partial class ClusterConnection(IOptions<ClusterOptions> options, TimeProvider time, ILogger<ClusterConnection> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private Kubernetes? _client;
    private CancellationTokenSource _replaced = new();
    private string? _loaded; // the content the client was built from: the kubeconfig, or in a pod the CA bundle
    private (DateTime Written, long Length) _seen;
    private DateTimeOffset _authoritiesReadAt;
    private bool _disposed;

    public ClusterOptions Options => options.Value;

    /// <summary>The client for the kubeconfig as it is now, or null when no cluster is configured.</summary>
    public IKubernetes? Client => Current?.Client;

    /// <summary>
    /// The client for the kubeconfig as it is now, with a token that fires when a changed kubeconfig
    /// (in a pod, CA bundle) replaces it; null when no cluster is configured (or its kubeconfig was never readable).
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
                    FollowAuthorities();
                    return new ClusterClient(_client!, _replaced.Token);
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
    private Kubernetes InCluster(string authoritiesPem)
    {
        // CertUtils.LoadPemFileCert, which InClusterConfig uses, is internal; .NET reads the PEM bundle itself.
        var authorities = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        authorities.ImportFromPem(authoritiesPem);
        if (authorities.Count == 0)
        {
            throw new FormatException($"{Options.CertificateAuthorityFile} holds no certificate.");
        }

        var configuration = new KubernetesClientConfiguration
        {
            Host = Options.ApiServer.ToString(),
            SslCaCerts = authorities,
            TokenProvider = new ServiceAccountToken(Options.TokenFile, time, logger),
            HttpClientTimeout = TimeSpan.FromSeconds(Options.RequestTimeoutSeconds),
        };
        return new Kubernetes(configuration);
    }

    /// <summary>
    /// Builds the in-cluster client at first use, and a new one when <c>ca.crt</c> changed, checked at
    /// most once per <see cref="ServiceAccountToken.RefreshInterval"/> on the Overseer's clock. At
    /// first use a bad bundle throws (the options' validation saw the file); later it keeps the client.
    /// </summary>
    private void FollowAuthorities()
    {
        var now = time.GetUtcNow();
        if (_client is not null && now - _authoritiesReadAt < ServiceAccountToken.RefreshInterval)
        {
            return;
        }

        _authoritiesReadAt = now;
        if (_client is null)
        {
            var pem = File.ReadAllText(Options.CertificateAuthorityFile);
            _client = InCluster(pem);
            _loaded = pem;
            LogInCluster(logger, Options.ApiServer.ToString(), Options.ServiceAccountPath);
            return;
        }

        try
        {
            var pem = File.ReadAllText(Options.CertificateAuthorityFile);
            if (pem != _loaded)
            {
                Replace(InCluster(pem));
                _loaded = pem;
                LogAuthoritiesChanged(logger, Options.CertificateAuthorityFile);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or FormatException)
        {
            LogUnreadable(logger, Options.CertificateAuthorityFile, ex.Message);
        }
    }

    /// <summary>Makes <paramref name="next"/> the client; the one before is disposed and its <see cref="ClusterClient.Replaced"/> fires.</summary>
    private void Replace(Kubernetes next)
    {
        var replaced = _client;
        _client = next;
        if (replaced is null)
        {
            return;
        }

        // Not disposed: a token handed out may still be linked to; a cancelled source holds nothing.
        var old = _replaced;
        _replaced = new CancellationTokenSource();
        old.Cancel();
        replaced.Dispose();
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
            var first = _client is null;
            Replace(new Kubernetes(configuration));
            _loaded = content;
            _seen = stamp;
            if (!first)
            {
                LogReloaded(logger, path, configuration.Host);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cluster's CA bundle {Path} changed: the Overseer now trusts the API server's certificates by it")]
    private static partial void LogAuthoritiesChanged(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} could not be read; keeping the current client: {Message}")]
    private static partial void LogUnreadable(ILogger logger, string path, string message);
}

/// <summary>A client of the cluster, and a token that fires once a changed kubeconfig (or in a pod, CA bundle) replaced it.</summary>
public sealed record ClusterClient(IKubernetes Client, CancellationToken Replaced);
