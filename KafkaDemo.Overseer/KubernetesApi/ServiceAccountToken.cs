using System.Net.Http.Headers;
using k8s.Authentication;

namespace KafkaDemo.Overseer.KubernetesApi;

/// <summary>
/// The pod's service account token, as the bearer of every call, read from the projected token
/// volume's file again once <see cref="RefreshInterval"/> passed, so a token the kubelet rotated
/// is used. The kubelet writes the new token well before the old one expires (at 80 % of its
/// lifetime, or after 24 hours), so a minute-old copy is always still valid.
/// </summary>
/// <remarks>
/// KubernetesClient's own in-cluster configuration does the same with <c>TokenFileAuth</c>: it reads
/// the file again when a minute passed on the system clock (kubernetes-client/csharp
/// src/KubernetesClient/Authentication/TokenFileAuth.cs GetAuthenticationHeaderAsync, and
/// KubernetesClientConfiguration.InCluster.cs InClusterConfig; read at commit b4a4f565, 20.0; the
/// 21.0.8 package, built from 75f253d6, carries the same TokenFileAuth, TokenExpiresAt and message).
/// Its folder is fixed (an internal ServiceAccountPath) and its clock is the system's, so this is
/// our own provider: the folder is <see cref="ClusterOptions.ServiceAccountPath"/> and the clock the
/// Overseer's <see cref="TimeProvider"/>. A failed read keeps the token read before.
/// </remarks>
public sealed partial class ServiceAccountToken(string path, TimeProvider time, ILogger logger) : ITokenProvider
{
    /// <summary>How long a token read is used before the file is read again (KubernetesClient's TokenFileAuth: one minute).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private string? _token;
    private DateTimeOffset _readAt;

    /// <summary>The header for the next call. The file is small and local: it is read synchronously, under the lock.</summary>
    public Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_token is null || now - _readAt >= RefreshInterval)
            {
                try
                {
                    var token = File.ReadAllText(path).Trim();
                    if (token.Length == 0)
                    {
                        throw new IOException("the file is empty");
                    }

                    _token = token;
                    _readAt = now;
                }
                catch (Exception ex) when (_token is not null && ex is IOException or UnauthorizedAccessException)
                {
                    // Being rewritten (the kubelet swaps the volume's files atomically, but a read can
                    // still fail): keep the token read before, and try again at the next call.
                    LogUnreadable(logger, path, ex.Message);
                }
            }

            return Task.FromResult(new AuthenticationHeaderValue("Bearer", _token));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The service account token {Path} could not be read again; keeping the one read before: {Message}")]
    private static partial void LogUnreadable(ILogger logger, string path, string message);
}
