using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using KafkaDemo.AppHost.Tools;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// Stands in for the docker and k3d command-line tools: answers what they print, keeps which
/// clusters exist, and records every call with its arguments.
/// </summary>
internal sealed class FakeDockerAndK3d : IProcessRunner
{
    private readonly ConcurrentDictionary<string, bool> _clusters = new(StringComparer.Ordinal);

    public bool DockerInstalled { get; set; } = true;

    public bool DockerRunning { get; set; } = true;

    public long DockerMemoryBytes { get; set; } = 16L << 30;

    /// <summary>What "k3d version" prints on its first line; null means k3d is not installed.</summary>
    public string? K3dVersion { get; set; } = "v5.9.0";

    /// <summary>The kubeconfig "k3d kubeconfig get" prints (the fake API server's, in the AppHost tests).</summary>
    public string Kubeconfig { get; set; } = "";

    /// <summary>The config file's contents at each "k3d cluster create --config".</summary>
    public ConcurrentQueue<string> CreatedFromConfigs { get; } = new();

    /// <summary>Every command line run, in order.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Called after a cluster is created or started, e.g. to bring a fake API server's world up.</summary>
    public Action<string>? OnClusterUp { get; set; }

    public IReadOnlyDictionary<string, bool> Clusters => _clusters;

    /// <summary>Images docker has (built or pulled).</summary>
    public ConcurrentBag<string> Images { get; } = [];

    /// <summary>The build contexts' file names at each "docker build".</summary>
    public ConcurrentQueue<IReadOnlyList<string>> BuildContexts { get; } = new();

    public void AddCluster(string name, bool running) => _clusters[name] = running;

    public Task<ProcessResult> RunAsync(ProcessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Calls.Enqueue(request.CommandLine);
        var args = request.Arguments;
        return Task.FromResult((Path.GetFileName(request.Program), args.Count > 0 ? args[0] : null) switch
        {
            ("docker", "info") => DockerInfo(),
            ("docker", "image") when args.Count > 1 && args[1] == "inspect" => Images.Contains(args[^1]) ? Ok("sha256:0123") : new ProcessResult(1, "", $"Error: No such image: {args[^1]}\n"),
            ("docker", "build") => Build(args, request.OnLine),
            ("k3d", _) when K3dVersion is null => throw new ToolNotFoundException(request.Program),
            ("k3d", "version") => Ok($"k3d version {K3dVersion}\nk3s version v1.32.5-k3s1 (default)\n"),
            ("k3d", "cluster") => Cluster(args, request.OnLine),
            ("k3d", "image") when args.Count > 2 && args[1] == "import" => Images.Contains(args[2])
                ? Ok($"INFO[0000] Successfully imported image(s)\n")
                : new ProcessResult(1, "", $"FATA[0000] image {args[2]} not found\n"),
            ("k3d", "kubeconfig") when args.Count == 3 && args[1] == "get" => _clusters.ContainsKey(args[2])
                ? Ok(Kubeconfig)
                : new ProcessResult(1, "", $"FATA[0000] cluster '{args[2]}' not found\n"),
            _ => new ProcessResult(127, "", $"fake: unexpected command {request.CommandLine}\n"),
        });
    }

    private ProcessResult Build(IReadOnlyList<string> args, Action<string>? onLine)
    {
        var tag = args[args.ToList().IndexOf("--tag") + 1];
        var context = args[^1];
        BuildContexts.Enqueue([.. Directory.GetFiles(context, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(context, f)).Order(StringComparer.Ordinal)]);
        onLine?.Invoke($"#1 naming to docker.io/library/{tag} done");
        Images.Add(tag);
        return Ok("");
    }

    private ProcessResult DockerInfo()
    {
        if (!DockerInstalled)
        {
            throw new ToolNotFoundException("docker");
        }

        return DockerRunning
            ? Ok(JsonSerializer.Serialize(new { ServerVersion = "28.2.2", MemTotal = DockerMemoryBytes, NCPU = 8, ServerErrors = Array.Empty<string>() }))
            : new ProcessResult(1, "", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n");
    }

    private ProcessResult Cluster(IReadOnlyList<string> args, Action<string>? onLine)
    {
        switch (args.ElementAtOrDefault(1))
        {
            case "list":
                return Ok(JsonSerializer.Serialize(_clusters.Select(c => new
                {
                    name = c.Key,
                    serversRunning = c.Value ? 1 : 0,
                    serversCount = 1,
                    agentsRunning = c.Value ? 2 : 0,
                    agentsCount = 2,
                })));
            case "create" when args.Count == 4 && args[2] == "--config":
                var config = File.ReadAllText(args[3]);
                CreatedFromConfigs.Enqueue(config);
                var name = config.Split('\n').SkipWhile(l => !l.StartsWith("metadata:", StringComparison.Ordinal)).Skip(1).First().Split(':')[1].Trim();
                onLine?.Invoke(string.Create(CultureInfo.InvariantCulture, $"INFO[0000] Created cluster '{name}'"));
                _clusters[name] = true;
                OnClusterUp?.Invoke(name);
                return Ok("");
            case "start" when args.Count == 3:
                _clusters[args[2]] = true;
                OnClusterUp?.Invoke(args[2]);
                return Ok("");
            case "delete" when args.Count == 3:
                _clusters.TryRemove(args[2], out _);
                onLine?.Invoke($"INFO[0000] Successfully deleted cluster {args[2]}!");
                return Ok("");
            default:
                return new ProcessResult(1, "", $"fake: unexpected k3d cluster {string.Join(' ', args)}\n");
        }
    }

    private static ProcessResult Ok(string output) => new(0, output, "");
}
