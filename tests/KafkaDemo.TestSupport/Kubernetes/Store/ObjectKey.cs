namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// Where an object is stored: like etcd, one object per group, resource, namespace and name, whatever
/// version a client reads it through (the version only changes the <c>apiVersion</c> it is shown with).
/// </summary>
internal sealed record ObjectKey(string Group, string Plural, string? Namespace, string Name)
{
    public static ObjectKey Of(ResourceType type, string? @namespace, string name) =>
        new(type.Group, type.Plural, @namespace, name);

    public bool SameResource(ResourceType type) => Group == type.Group && Plural == type.Plural;
}
