using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The part of the container runtime that runs real programs: which images a test runs as which program,
/// the cluster DNS names it maps to loopback addresses, and every process started, so that none outlives its
/// pod or the fake. All pods share the host's network: a program listens on a free loopback port that
/// stands for its containerPort.
/// </summary>
internal sealed partial class ProgramRuntime(TimeProvider time) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Func<ContainerLaunch, ContainerCommand>> programs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> dns = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> nodeHosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<ContainerProcess> started = new();
    private readonly ConcurrentQueue<Task> stops = new();

    public IReadOnlyList<ContainerProcessRecord> Processes =>
        [.. started.Select(p => new ContainerProcessRecord(p.Launch.Namespace, p.Launch.Pod, p.Launch.Container, p.ProcessId, () => p.HasExited))];

    /// <summary>An image name, or a pattern ending in <c>*</c> that matches names starting with what comes before it.</summary>
    public void Register(string imagePattern, Func<ContainerLaunch, ContainerCommand> program) => programs[imagePattern] = program;

    public void AddDns(string nameAndPort, string hostAndPort) => dns[nameAndPort] = hostAndPort;

    public void AddNodeHost(string hostname, string address) => nodeHosts[hostname] = address;

    public Func<ContainerLaunch, ContainerCommand>? ProgramFor(string image) =>
        programs.TryGetValue(image, out var exact) ? exact
        : programs.Where(p => p.Key.EndsWith('*') && image.StartsWith(p.Key[..^1], StringComparison.Ordinal))
            .OrderByDescending(p => p.Key.Length).Select(p => p.Value).FirstOrDefault();

    /// <summary>
    /// Starts the program for a container: a free loopback port per declared containerPort, the environment
    /// with registered cluster DNS names rewritten (an unregistered <c>*.svc</c> name fails the container).
    /// </summary>
    public ContainerProcess Start(Func<ContainerLaunch, ContainerCommand> program, PodStart start, JsonObject container, IReadOnlyDictionary<string, string> environment)
    {
        var rewritten = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in environment)
        {
            rewritten[name] = Resolve(value);
        }

        var ports = new Dictionary<int, int>();
        foreach (var port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (port["containerPort"]?.GetValue<int>() is { } number && !ports.ContainsKey(number))
            {
                ports[number] = FreePorts.Block(1);
            }
        }

        var launch = new ContainerLaunch
        {
            Namespace = start.Namespace,
            Pod = start.PodName,
            Container = JsonFields.Text(container, "name") ?? "",
            Image = JsonFields.Text(container, "image") ?? "",
            Environment = rewritten,
            Ports = ports,
        };
        var process = ContainerProcess.Start(launch, program(launch), container, time);
        started.Enqueue(process);
        return process;
    }

    /// <summary>Work in the background (stopping a pod's processes; the caller may hold a lock); disposal waits for it.</summary>
    public void Background(Func<Task> work) => stops.Enqueue(Task.Run(work));

    /// <summary>
    /// The only rewrites the fake makes to what a container gets: <c>name:port</c> pairs a test registered
    /// become their <c>host:port</c>, and a node host's name (CoreDNS's NodeHosts) becomes its address
    /// whatever the port. Any other cluster name (<c>*.svc</c>, <c>*.svc.cluster.local</c>) or
    /// <c>*.internal</c> host name left in a value fails the container, since the program on the host could
    /// not resolve it.
    /// </summary>
    private string Resolve(string value)
    {
        foreach (var (name, target) in dns.OrderByDescending(d => d.Key.Length))
        {
            value = value.Replace(name, target, StringComparison.OrdinalIgnoreCase);
        }

        value = HostName().Replace(value, m => nodeHosts.TryGetValue(m.Value, out var address) ? address : m.Value);
        if (ClusterName().Match(value) is { Success: true } unresolved)
        {
            throw new ContainerStartFailure(
                ContainerStartFailure.RunContainerError,
                $"the fake cluster has no DNS entry for \"{unresolved.Value}\" (register it with FakeKubernetesApi.AddClusterDns)");
        }

        if (InternalName().Match(value) is { Success: true } unknown)
        {
            throw new ContainerStartFailure(
                ContainerStartFailure.RunContainerError,
                $"the fake cluster has no DNS entry for \"{unknown.Value}\" (a node host: register it with FakeKubernetesApi.AddNodeHost)");
        }

        return value;
    }

    [GeneratedRegex(@"[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?\.svc(\.cluster\.local)?(:[0-9]+)?\b")]
    private static partial Regex ClusterName();

    /// <summary>A whole host name: not part of a longer name (no letter, digit, '-' or '.' on either side).</summary>
    [GeneratedRegex(@"(?<![-A-Za-z0-9.])[A-Za-z0-9][-A-Za-z0-9.]*[A-Za-z0-9](?![-A-Za-z0-9.])")]
    private static partial Regex HostName();

    /// <summary>Names under <c>.internal</c> (host.k3d.internal, host.docker.internal, host.lima.internal), which only the cluster's DNS or a container runtime could answer.</summary>
    [GeneratedRegex(@"(?<![-A-Za-z0-9.])[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?\.internal(?![-A-Za-z0-9.])", RegexOptions.IgnoreCase)]
    private static partial Regex InternalName();

    public async ValueTask DisposeAsync()
    {
        foreach (var process in started)
        {
            await process.DisposeAsync();
        }

        await Task.WhenAll(stops);
    }
}
