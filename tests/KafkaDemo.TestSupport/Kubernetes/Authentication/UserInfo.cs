namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// Who a request is made as, the way the API server's authenticators describe a user to the
/// authorizer: a name and groups. Every authenticated user also gets <c>system:authenticated</c>
/// (k8s.io/apiserver pkg/authentication/group/authenticated_group_adder.go).
/// </summary>
/// <param name="Name">The user name, such as <c>system:admin</c> or <c>system:serviceaccount:ns:name</c>.</param>
/// <param name="Groups">The groups, in the order the authenticator gives them.</param>
public sealed record UserInfo(string Name, IReadOnlyList<string> Groups)
{
    /// <summary>The group every authenticated request carries.</summary>
    public const string AuthenticatedGroup = "system:authenticated";

    /// <summary>
    /// The cluster administrator, as the admin kubeconfig k3s writes authenticates: user
    /// <c>system:admin</c> in group <c>system:masters</c> (the client certificate's CN and O).
    /// </summary>
    public static UserInfo Admin { get; } = new("system:admin", ["system:masters", AuthenticatedGroup]);

    /// <summary>
    /// The identity of a service account's token, as the API server's service account authenticator
    /// builds it (k8s.io/apiserver pkg/authentication/serviceaccount/util.go: MakeUsername gives
    /// <c>system:serviceaccount:{ns}:{name}</c>, MakeGroupNames gives <c>system:serviceaccounts</c> and
    /// <c>system:serviceaccounts:{ns}</c>), plus <c>system:authenticated</c>.
    /// </summary>
    public static UserInfo ForServiceAccount(ServiceAccountRef account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return new(account.UserName, ["system:serviceaccounts", $"system:serviceaccounts:{account.Namespace}", AuthenticatedGroup]);
    }

    /// <summary>The service account this user is, or null for any other user.</summary>
    public ServiceAccountRef? ServiceAccount => ServiceAccountRef.FromUserName(Name);

    public bool Equals(UserInfo? other) =>
        other is not null && Name == other.Name && Groups.SequenceEqual(other.Groups);

    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => $"{Name} [{string.Join(", ", Groups)}]";
}
