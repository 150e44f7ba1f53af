using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The bearer tokens the fake knows and whom each stands for: the admin token of the kubeconfig it
/// writes, and the service account tokens it issued (to tests, or to pods through their projected
/// token volume). A pod's token stops authenticating when its pod is deleted, as a bound token does
/// (the real authenticator checks that the pod the token is bound to still exists with that uid).
/// </summary>
internal sealed class TokenRegistry
{
    private readonly ConcurrentDictionary<string, Issued> tokens = new(StringComparer.Ordinal);

    public TokenRegistry(string adminToken) => tokens[adminToken] = new Issued(UserInfo.Admin, BoundPodUid: null);

    /// <summary>A new opaque token for a service account, optionally bound to a pod.</summary>
    public string Issue(ServiceAccountRef account, string? boundPodUid = null)
    {
        var token = $"fake-sa.{account.Namespace}.{account.Name}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
        tokens[token] = new Issued(UserInfo.ForServiceAccount(account), boundPodUid);
        return token;
    }

    /// <summary>The user a request's <c>Authorization</c> header authenticates as, or null for none or an unknown token.</summary>
    public UserInfo? Authenticate(string? authorization)
    {
        const string Bearer = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return tokens.TryGetValue(authorization[Bearer.Length..].Trim(), out var issued) ? issued.User : null;
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

    private sealed record Issued(UserInfo User, string? BoundPodUid);
}
