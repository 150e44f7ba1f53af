namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>A service account by namespace and name, such as a pod runs as.</summary>
public sealed record ServiceAccountRef(string Namespace, string Name)
{
    private const string Prefix = "system:serviceaccount:";

    /// <summary>The user name its tokens authenticate as: <c>system:serviceaccount:{namespace}:{name}</c>.</summary>
    public string UserName => $"{Prefix}{Namespace}:{Name}";

    /// <summary>The service account a user name stands for, or null if it is not a service account's.</summary>
    public static ServiceAccountRef? FromUserName(string userName)
    {
        ArgumentNullException.ThrowIfNull(userName);
        if (!userName.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = userName[Prefix.Length..].Split(':');
        return parts is [{ Length: > 0 } ns, { Length: > 0 } name] ? new ServiceAccountRef(ns, name) : null;
    }

    public override string ToString() => $"{Namespace}/{Name}";
}
