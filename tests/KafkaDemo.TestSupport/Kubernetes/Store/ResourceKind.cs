namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>What the fake knows about one served resource: its kind, scope and subresources.</summary>
/// <param name="Type">Group, version and plural as used in URLs.</param>
/// <param name="Kind">The object kind, such as "ConfigMap".</param>
/// <param name="Singular">The singular name discovery reports.</param>
/// <param name="Namespaced">Whether objects live in a namespace.</param>
/// <param name="HasStatus">Whether the resource has a <c>/status</c> subresource (writes to the main resource then ignore <c>status</c>).</param>
/// <param name="TracksGeneration">Whether <c>metadata.generation</c> is kept and bumped on spec changes.</param>
/// <param name="ShortNames">Short names discovery reports (kubectl uses them).</param>
/// <param name="HasExec">Whether the resource has the <c>exec</c> subresource (pods only).</param>
public sealed record ResourceKind(
    ResourceType Type,
    string Kind,
    string Singular,
    bool Namespaced,
    bool HasStatus,
    bool TracksGeneration,
    IReadOnlyList<string> ShortNames,
    bool HasExec = false)
{
    public string ListKind => Kind + "List";
}
