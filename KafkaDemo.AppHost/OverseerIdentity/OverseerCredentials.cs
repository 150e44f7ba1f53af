using System.Globalization;
using KafkaDemo.AppHost.Agent;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Settings;
using Microsoft.Extensions.Logging;

namespace KafkaDemo.AppHost.OverseerIdentity;

/// <summary>
/// Gives the Overseer its own, least-privilege identity in the cluster (k3d's or an existing one): applies
/// <c>k3d/overseer</c> (its service account and Roles), asks the TokenRequest API for a token of that
/// account with a bounded lifetime, writes a kubeconfig with it (mode 0600, in the AppHost's state
/// directory: <see cref="K3dSettings.OverseerKubeconfigPath"/>), and renews the token before it
/// expires by writing the file again; the Overseer follows the file (its ClusterConnection reloads a
/// kubeconfig whose content changed). The admin kubeconfig stays the AppHost's.
/// </summary>
/// <param name="kubeconfigPath">Where the Overseer's kubeconfig is written (the AppHost's state folder).</param>
/// <param name="context">The admin kubeconfig's context (null: its current-context).</param>
/// <param name="kafka">The Kafka its Roles name; its namespace is the Overseer's kubeconfig's default.</param>
/// <param name="time">The clock renewals follow.</param>
public sealed partial class OverseerCredentials(string kubeconfigPath, string? context, KafkaTarget kafka, TimeProvider time)
{
    /// <summary>For the k3d cluster: its own kubeconfig's one context, Kafka kafka/kafkademo (<see cref="KafkaTarget.Default"/>).</summary>
    public OverseerCredentials(K3dSettings settings, TimeProvider time)
        : this((settings ?? throw new ArgumentNullException(nameof(settings))).OverseerKubeconfigPath, null, KafkaTarget.Default, time)
    {
    }

    /// <summary>How long a token lives: an hour, the TokenRequest API's default (10 minutes is its minimum).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>After a failed renewal, the next try. A token is renewed with a third of its life left (20 minutes), so 40 tries fit before it expires.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    public string KubeconfigPath => kubeconfigPath;

    /// <summary>
    /// Applies the Overseer's objects (the agent's namespace first: one of its Roles lives there), with
    /// the Role and RoleBinding for Kafka in its namespace, naming it (<see cref="OverseerManifests.Render"/>),
    /// then issues the first token and writes the kubeconfig.
    /// </summary>
    /// <returns>When the token expires.</returns>
    /// <exception cref="ClusterSetupException">The API refused an object or the token request.</exception>
    public async Task<DateTimeOffset> SetUpAsync(KubernetesApi api, string adminKubeconfig, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(log);
        foreach (var item in AgentManifests.Files().Where(i => (string?)i["kind"] == "Namespace").Concat(OverseerManifests.Render(kafka)))
        {
            await api.ApplyDuringSetupAsync(item, log, cancellationToken);
        }

        try
        {
            return await IssueAsync(api, adminKubeconfig, log, cancellationToken);
        }
        catch (KubernetesApiException ex)
        {
            throw new ClusterSetupException(ex.Message, "Check the cluster with kubectl, or use the 'Recreate cluster' command.", ex);
        }
    }

    /// <summary>
    /// <see cref="SetUpAsync"/> in <paramref name="cluster"/> through its admin kubeconfig, then renews
    /// the token in the background (<see cref="RenewAsync"/>, each time with a fresh client) until
    /// <paramref name="cancellationToken"/> fires.
    /// </summary>
    /// <exception cref="ClusterSetupException">The API refused an object or the token request.</exception>
    public async Task SetUpAndRenewAsync(KubernetesApi api, IDemoCluster cluster, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var expires = await SetUpAsync(api, cluster.KubeconfigPath, log, cancellationToken);
        _ = RenewAsync(async token =>
        {
            using var fresh = cluster.Connect();
            return await IssueAsync(fresh, cluster.KubeconfigPath, log, token);
        }, expires, log, cancellationToken);
    }

    /// <summary>Requests a new token and writes the Overseer's kubeconfig with it; returns when it expires.</summary>
    /// <exception cref="KubernetesApiException">The API refused the request.</exception>
    public async Task<DateTimeOffset> IssueAsync(KubernetesApi api, string adminKubeconfig, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(log);
        var requested = time.GetUtcNow();
        var (token, expires) = await api.RequestTokenAsync(OverseerManifests.Namespace, OverseerManifests.ServiceAccount, Lifetime, cancellationToken);
        var until = expires ?? requested + Lifetime;
        var kubeconfig = OverseerKubeconfig.Write(await File.ReadAllTextAsync(adminKubeconfig, cancellationToken), token, context, kafka.Namespace, Path.GetDirectoryName(Path.GetFullPath(adminKubeconfig)));
        await PrivateFile.WriteAsync(KubeconfigPath, kubeconfig, cancellationToken);
        LogIssued(log, OverseerManifests.UserName, until.ToString("u", CultureInfo.InvariantCulture), KubeconfigPath);
        return until;
    }

    /// <summary>
    /// When to renew a token issued at <paramref name="issued"/> that expires at
    /// <paramref name="expires"/>: once two thirds of its life are gone.
    /// </summary>
    public static DateTimeOffset RenewalDue(DateTimeOffset issued, DateTimeOffset expires) => issued + ((expires - issued) * 2 / 3);

    /// <summary>
    /// Renews the token until <paramref name="cancellationToken"/> fires (the cluster is deleted or
    /// recreated, or the AppHost stops): at <see cref="RenewalDue"/>, and after a failure every
    /// <see cref="RetryAfter"/>, each failure logged (an error once the token has expired).
    /// </summary>
    /// <param name="issue">Issues a token and writes the kubeconfig (<see cref="IssueAsync"/> with a fresh client); returns when it expires.</param>
    public async Task RenewAsync(Func<CancellationToken, Task<DateTimeOffset>> issue, DateTimeOffset expires, ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issue);
        ArgumentNullException.ThrowIfNull(log);
        var due = RenewalDue(time.GetUtcNow(), expires);
        try
        {
            while (true)
            {
                var wait = due - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken);
                }

                try
                {
                    var issued = time.GetUtcNow();
                    expires = await issue(cancellationToken);
                    due = RenewalDue(issued, expires);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    due = time.GetUtcNow() + RetryAfter;
                    if (time.GetUtcNow() >= expires)
                    {
                        LogExpired(log, RetryAfter.TotalSeconds, ex.Message);
                    }
                    else
                    {
                        LogRenewalFailed(log, expires.ToString("u", CultureInfo.InvariantCulture), RetryAfter.TotalSeconds, ex.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the cluster went, or the AppHost stops
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The Overseer runs as {User} (k3d/overseer): a token from the TokenRequest API, valid until {Expires}, in {Path}; it is renewed before then.")]
    private static partial void LogIssued(ILogger logger, string user, string expires, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the Overseer's token failed; the current one is valid until {Expires}; trying again in {Seconds} s: {Message}")]
    private static partial void LogRenewalFailed(ILogger logger, string expires, double seconds, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "The Overseer's token has expired and could not be renewed, so the Overseer cannot reach the cluster; trying again in {Seconds} s: {Message}")]
    private static partial void LogExpired(ILogger logger, double seconds, string message);
}
