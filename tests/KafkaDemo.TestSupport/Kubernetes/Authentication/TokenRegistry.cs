using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The bearer tokens the fake knows and whom each stands for: the admin token of the kubeconfig it
/// writes, and the service account tokens it issued (to tests, to pods through their projected token
/// volume, and through the TokenRequest API). A pod's token stops authenticating when its pod is
/// deleted, as a bound token does (the real authenticator checks that the pod the token is bound to
/// still exists with that uid). A TokenRequest token stops a minute after its expiry on the fake's clock,
/// and when its service account is gone or was recreated (k8s.io/kubernetes pkg/serviceaccount/claims.go
/// validator.Validate: <c>public.Validate(jwt.Expected{Time: now})</c>, which go-jose's jwt package runs
/// with DefaultLeeway, one minute; then the service account by name and uid).
/// </summary>
internal sealed class TokenRegistry
{
    /// <summary>go-jose jwt DefaultLeeway: an expiry is only enforced this long after it passed.</summary>
    public static readonly TimeSpan ExpiryLeeway = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Issued> tokens = new(StringComparer.Ordinal);
    private readonly TimeProvider time;
    private readonly Func<ServiceAccountRef, string?> accountUid;

    /// <param name="adminToken">The kubeconfig's token: <see cref="UserInfo.Admin"/>.</param>
    /// <param name="time">The clock that expiries are read on.</param>
    /// <param name="accountUid">The uid of a service account as stored now, or null if it does not exist.</param>
    public TokenRegistry(string adminToken, TimeProvider time, Func<ServiceAccountRef, string?> accountUid)
    {
        this.time = time;
        this.accountUid = accountUid;
        tokens[adminToken] = new Issued(UserInfo.Admin, BoundPodUid: null, ExpiresAt: null, AccountUid: null);
    }

    /// <summary>A new opaque token for a service account, optionally bound to a pod; it never expires.</summary>
    public string Issue(ServiceAccountRef account, string? boundPodUid = null) =>
        Add(account, new Issued(UserInfo.ForServiceAccount(account), boundPodUid, ExpiresAt: null, AccountUid: null));

    /// <summary>
    /// A token as the TokenRequest API issues it: valid until <paramref name="expiresAt"/> (plus the
    /// leeway), while the account with <paramref name="uid"/> exists, and, if bound, while its pod does.
    /// </summary>
    public string IssueUntil(ServiceAccountRef account, string uid, DateTimeOffset expiresAt, string? boundPodUid) =>
        Add(account, new Issued(UserInfo.ForServiceAccount(account), boundPodUid, expiresAt, uid));

    /// <summary>
    /// The user a request's <c>Authorization</c> header authenticates as, or null for none, an unknown
    /// token, an expired one, or one whose service account is gone.
    /// </summary>
    public UserInfo? Authenticate(string? authorization)
    {
        const string Bearer = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)
            || !tokens.TryGetValue(authorization[Bearer.Length..].Trim(), out var issued))
        {
            return null;
        }

        if (issued.ExpiresAt is { } expiry && time.GetUtcNow() - ExpiryLeeway > expiry)
        {
            return null;
        }

        if (issued.AccountUid is { } uid && (issued.User.ServiceAccount is not { } account || accountUid(account) != uid))
        {
            return null;
        }

        return issued.User;
    }

    /// <summary>Forgets the tokens bound to a pod that is gone.</summary>
    public void RevokeBoundTo(string podUid)
    {
        foreach (var (token, issued) in tokens)
        {
            if (issued.BoundPodUid == podUid)
            {
                tokens.TryRemove(token, out _);
            }
        }
    }

    private string Add(ServiceAccountRef account, Issued issued)
    {
        var token = $"fake-sa.{account.Namespace}.{account.Name}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
        tokens[token] = issued;
        return token;
    }

    private sealed record Issued(UserInfo User, string? BoundPodUid, DateTimeOffset? ExpiresAt, string? AccountUid);
}
