namespace KafkaDemo.Overseer.PageAccess;

/// <summary><c>Overseer:Page</c>: who may open the page, beyond its login.</summary>
public sealed class PageOptions
{
    public const string SectionName = "Overseer:Page";

    /// <summary>
    /// Whether the page, its Blazor hub and the login accept clients that are not on loopback (or
    /// that came through a proxy): off by default. On, they still need the session from the login
    /// link, and the hub still its own origin. For the Overseer in a pod, reached through its
    /// NodePort, where every request comes from another address (deploy/overseer sets it).
    /// </summary>
    public bool AllowRemote { get; set; }
}
