using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Tools;

namespace KafkaDemo.AppHost.K3d;

/// <summary>What <c>docker info</c> says about the engine.</summary>
public sealed record DockerInfo(string ServerVersion, long MemoryBytes, int Cpus);

/// <summary>One cluster from <c>k3d cluster list -o json</c>.</summary>
public sealed record K3dClusterInfo(string Name, int ServersRunning, int ServersCount, int AgentsRunning, int AgentsCount)
{
    public bool Running => ServersCount > 0 && ServersRunning == ServersCount && AgentsRunning == AgentsCount;
}

/// <summary>
/// The docker and k3d commands the k3d mode runs, each with a timeout and an argument array, and
/// their failures turned into a cause and a fix. Every line they print is read without ANSI escape
/// sequences (<see cref="TerminalText.StripEscapes"/>), whether it is shown or parsed.
/// </summary>
public sealed partial class K3dCli(IProcessRunner runner, K3dSettings settings)
{
    /// <summary>
    /// The environment every k3d command runs with. k3d v5.9.0 cmd/root.go initLogging: the logrus
    /// TextFormatter is created with ForceColors: true, so colour codes are written even into a pipe,
    /// unless LOG_COLORS parses (strconv.ParseBool) as false; LOG_LEVEL (logrus.ParseLevel) replaces
    /// the default level info. Info, debug and trace lines go to stdout, the same stream as
    /// "k3d cluster list -o json" and "k3d kubeconfig get" print their output on, so a LOG_LEVEL=debug
    /// in the user's environment would put initRuntime's "Runtime Info" debug lines into the JSON
    /// and the kubeconfig. Hence both are set, whatever the AppHost inherited.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> K3dEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["LOG_COLORS"] = "false",
        ["LOG_LEVEL"] = "info",
    };

    /// <summary>
    /// The environment of "docker build". docker/cli cmd/docker/builder.go processBuilder: with
    /// DOCKER_BUILDKIT=0 (say, in the user's shell) "docker build" runs the legacy builder, which
    /// rejects --load and ADD --chmod ("the --chmod option requires BuildKit"); with
    /// DOCKER_BUILDKIT=1 it is always forwarded to buildx, and a missing buildx is the clear error
    /// "BuildKit is enabled but the buildx component is missing or broken".
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> DockerBuildEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DOCKER_BUILDKIT"] = "1",
    };

    /// <summary>The oldest k3d whose config format (k3d.io/v1alpha5) and flags this uses.</summary>
    public static readonly Version MinimumK3d = new(5, 7, 0);

    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(20);

    private const string EmbeddedAlternative = "Or run without Docker: KafkaDemo:Mode=embedded.";

    public string Docker => settings.DockerCommand;

    public string K3dCommand => settings.K3dCommand;

    /// <summary>The Docker engine's version and resources.</summary>
    /// <exception cref="ClusterSetupException">Docker is missing or not running.</exception>
    public async Task<DockerInfo> DockerInfoAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(Docker, ["info", "--format", "{{json .}}"], Quick, null, cancellationToken,
            notFound: () => new ClusterSetupException(
                "Docker is not installed (docker not found on PATH).",
                $"Install Docker (https://docs.docker.com/get-docker/) and start it. {EmbeddedAlternative}"));
        if (!result.Succeeded)
        {
            throw new ClusterSetupException($"Docker is not running: {result.FirstErrorLine}",
                $"Start Docker (Docker Desktop, or 'sudo systemctl start docker' on Linux) and run again. {EmbeddedAlternative}");
        }

        try
        {
            using var json = JsonDocument.Parse(result.StandardOutput);
            var root = json.RootElement;
            if (root.TryGetProperty("ServerErrors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                throw new ClusterSetupException($"Docker is not running: {errors[0].GetString()}",
                    $"Start Docker and run again. {EmbeddedAlternative}");
            }

            return new DockerInfo(
                root.TryGetProperty("ServerVersion", out var v) ? v.GetString() ?? "?" : "?",
                root.TryGetProperty("MemTotal", out var m) && m.TryGetInt64(out var memory) ? memory : 0,
                root.TryGetProperty("NCPU", out var c) && c.TryGetInt32(out var cpus) ? cpus : 0);
        }
        catch (JsonException ex)
        {
            throw new ClusterSetupException($"'docker info' printed something other than JSON: {result.FirstErrorLine}",
                "Check that 'docker info' works in a terminal.", ex);
        }
    }

    /// <summary>The installed k3d's version.</summary>
    /// <exception cref="ClusterSetupException">k3d is missing, or older than <see cref="MinimumK3d"/>.</exception>
    public async Task<Version> K3dVersionAsync(CancellationToken cancellationToken)
    {
        var install = $"Install k3d {MinimumK3d.ToString(2)} or later: https://k3d.io/#installation. {EmbeddedAlternative}";
        var result = await RunAsync(K3dCommand, ["version"], Quick, null, cancellationToken,
            notFound: () => new ClusterSetupException("k3d not found on PATH.", install));
        var match = VersionLine().Match(result.StandardOutput);
        if (!result.Succeeded || !match.Success)
        {
            throw new ClusterSetupException($"'k3d version' did not report a version: {K3dErrorLine(result)}", install);
        }

        var version = new Version(
            int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
        if (version < MinimumK3d)
        {
            throw new ClusterSetupException($"k3d v{version} is too old: KafkaDemo needs k3d {MinimumK3d.ToString(2)} or later (config k3d.io/v1alpha5).", install);
        }

        return version;
    }

    /// <summary>The cluster with this name, or null if k3d has none.</summary>
    public async Task<K3dClusterInfo?> FindClusterAsync(string name, CancellationToken cancellationToken)
    {
        var result = await RunAsync(K3dCommand, ["cluster", "list", "-o", "json"], Quick, null, cancellationToken);
        if (!result.Succeeded)
        {
            throw new ClusterSetupException($"'k3d cluster list' failed: {K3dErrorLine(result)}", "Check that Docker is running and 'k3d cluster list' works in a terminal.");
        }

        try
        {
            using var json = JsonDocument.Parse(result.StandardOutput.Length == 0 ? "[]" : result.StandardOutput);
            foreach (var cluster in json.RootElement.EnumerateArray())
            {
                if (cluster.TryGetProperty("name", out var n) && n.GetString() == name)
                {
                    return new K3dClusterInfo(name, Int(cluster, "serversRunning"), Int(cluster, "serversCount"), Int(cluster, "agentsRunning"), Int(cluster, "agentsCount"));
                }
            }

            return null;
        }
        catch (JsonException ex)
        {
            throw new ClusterSetupException("'k3d cluster list -o json' printed something other than JSON.", "Check your k3d installation.", ex);
        }

        static int Int(JsonElement e, string p) => e.TryGetProperty(p, out var v) && v.TryGetInt32(out var i) ? i : 0;
    }

    /// <summary>Creates the cluster from a config file; k3d's output goes to <paramref name="onLine"/>.</summary>
    public async Task CreateClusterAsync(string configPath, Action<string> onLine, CancellationToken cancellationToken)
    {
        var result = await RunAsync(K3dCommand, ["cluster", "create", "--config", configPath], TimeSpan.FromMinutes(10), onLine, cancellationToken);
        if (!result.Succeeded)
        {
            throw new ClusterSetupException($"'k3d cluster create' failed: {K3dErrorLine(result)}",
                $"See the k3d output above. If a half-made cluster is left, remove it with 'k3d cluster delete {settings.ClusterName}'.");
        }
    }

    public async Task StartClusterAsync(string name, Action<string> onLine, CancellationToken cancellationToken)
    {
        var result = await RunAsync(K3dCommand, ["cluster", "start", name], TimeSpan.FromMinutes(5), onLine, cancellationToken);
        if (!result.Succeeded)
        {
            throw new ClusterSetupException($"'k3d cluster start {name}' failed: {K3dErrorLine(result)}",
                $"Use the 'Recreate cluster' command, or 'k3d cluster delete {name}' and start again.");
        }
    }

    public async Task DeleteClusterAsync(string name, Action<string> onLine, CancellationToken cancellationToken)
    {
        var result = await RunAsync(K3dCommand, ["cluster", "delete", name], TimeSpan.FromMinutes(5), onLine, cancellationToken);
        if (!result.Succeeded)
        {
            throw new ClusterSetupException($"'k3d cluster delete {name}' failed: {K3dErrorLine(result)}", "Check 'docker ps -a' for containers named k3d-" + name + "-*.");
        }
    }

    /// <summary>Whether Docker already has an image with this reference.</summary>
    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken) =>
        (await RunAsync(Docker, ["image", "inspect", "--format", "{{.Id}}", image], Quick, null, cancellationToken)).Succeeded;

    /// <summary>
    /// docker build of a context folder (with -f, a Dockerfile elsewhere: the service images build
    /// from the repository root with their project's Dockerfile), with BuildKit (the agent's Dockerfile uses ADD --chmod), the
    /// image loaded into Docker's image store whatever builder is selected (--load), and plain
    /// progress lines; the build's output goes to <paramref name="onLine"/>.
    /// </summary>
    /// <remarks>
    /// --load: docker/cli builder.go sends "docker build" to the default builder unless BUILDX_BUILDER
    /// or "docker buildx install" picks another; with a docker-container (or kubernetes, remote)
    /// builder "the build result is exported to the build cache only" unless --load is given (Docker
    /// docs, Build drivers: "Loading to local image store"), and "k3d image import" would then find no
    /// image. On the default docker driver --load changes nothing.
    /// </remarks>
    /// <param name="image">The reference to tag the image with.</param>
    /// <param name="contextDirectory">The build context.</param>
    /// <param name="dockerfile">The Dockerfile (-f), or null for the context's own.</param>
    /// <param name="needs">What the build fetches, for the fix when it fails.</param>
    /// <param name="onLine">Each line of the build's output.</param>
    /// <param name="cancellationToken">Stops the build.</param>
    public async Task BuildImageAsync(string image, string contextDirectory, string? dockerfile, string needs, Action<string> onLine, CancellationToken cancellationToken)
    {
        string[] file = dockerfile is null ? [] : ["-f", dockerfile];
        var result = await RunAsync(Docker,
            ["build", .. file, "--load", "--progress=plain", "--tag", image, "--label", "app.kubernetes.io/part-of=kafkademo", contextDirectory],
            TimeSpan.FromMinutes(20), onLine, cancellationToken, environment: DockerBuildEnvironment);
        if (!result.Succeeded)
        {
            var output = result.StandardError + "\n" + result.StandardOutput;
            if (output.Contains("buildx component is missing", StringComparison.Ordinal) || output.Contains("unknown flag: --load", StringComparison.Ordinal))
            {
                throw new ClusterSetupException($"'docker build' of {image} needs BuildKit through Docker's buildx plugin (Docker 23 or later): {DockerErrorLine(result)}",
                    "Install the buildx plugin (Docker Desktop has it; on Linux the docker-buildx-plugin package) and run again.");
            }

            throw new ClusterSetupException($"'docker build' of {image} failed: {DockerErrorLine(result)}",
                $"See the build output above; the image needs {needs}.");
        }
    }

    /// <summary>
    /// The gateway address of a Docker network (the host's address on that bridge): docker network
    /// inspect with a Go template over the network's IPAM config (docker/cli cli/command/network/inspect.go,
    /// --format through cli/command/formatter), the first IPv4 entry.
    /// </summary>
    /// <exception cref="ClusterSetupException">The network does not exist, or has no IPv4 gateway.</exception>
    public async Task<string> NetworkGatewayAsync(string network, CancellationToken cancellationToken)
    {
        var result = await RunAsync(Docker, ["network", "inspect", "--format", "{{json .IPAM.Config}}", network], Quick, null, cancellationToken);
        if (!result.Succeeded)
        {
            throw new ClusterSetupException($"'docker network inspect {network}' failed: {result.FirstErrorLine}", "Check that the k3d cluster runs ('k3d cluster list').");
        }

        try
        {
            using var json = JsonDocument.Parse(result.StandardOutput);
            var entries = json.RootElement.ValueKind == JsonValueKind.Array ? [.. json.RootElement.EnumerateArray()] : Array.Empty<JsonElement>();
            foreach (var entry in entries)
            {
                if (entry.TryGetProperty("Gateway", out var g) && g.GetString() is { Length: > 0 } gateway
                    && System.Net.IPAddress.TryParse(gateway, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                {
                    return gateway;
                }
            }
        }
        catch (JsonException)
        {
        }

        throw new ClusterSetupException($"Docker network {network} has no IPv4 gateway: {result.StandardOutput.Trim()}", "Check 'docker network inspect " + network + "'.");
    }

    /// <summary>
    /// Gives a local image a second name: "docker tag SOURCE TARGET" (docker/cli cli/command/image/tag.go;
    /// non-zero exit with the daemon's error on stderr, e.g. "Error response from daemon: No such image: ...").
    /// </summary>
    public async Task TagImageAsync(string source, string target, CancellationToken cancellationToken)
    {
        var result = await RunAsync(Docker, ["tag", source, target], Quick, null, cancellationToken);
        if (!result.Succeeded)
        {
            throw new ClusterSetupException($"'docker tag {source} {target}' failed: {result.FirstErrorLine}", "Check that 'docker image ls' lists " + source + ".");
        }
    }

    /// <summary>
    /// Pushes a local image to its registry: "docker push NAME:TAG" (docker/cli cli/command/image/push.go;
    /// non-zero exit with the error on stderr, e.g. "denied: requested access to the resource is denied" or
    /// "unauthorized: authentication required"). Pushing what the registry already has uploads no layer again.
    /// </summary>
    public async Task PushImageAsync(string image, Action<string> onLine, CancellationToken cancellationToken)
    {
        var result = await RunAsync(Docker, ["push", image], TimeSpan.FromMinutes(10), onLine, cancellationToken);
        if (!result.Succeeded)
        {
            throw new ClusterSetupException($"'docker push {image}' failed: {result.FirstErrorLine}",
                "Log in to the registry ('docker login <registry>') or set KafkaDemo:External:Registry to one this machine may push to and the cluster pulls from.");
        }
    }

    /// <summary>Loads a local image into the cluster's nodes (no registry involved).</summary>
    public async Task ImportImageAsync(string image, string cluster, Action<string> onLine, CancellationToken cancellationToken)
    {
        var result = await RunAsync(K3dCommand, ["image", "import", image, "--cluster", cluster], TimeSpan.FromMinutes(10), onLine, cancellationToken);
        if (!result.Succeeded)
        {
            throw new ClusterSetupException($"'k3d image import {image}' failed: {K3dErrorLine(result)}", "See the k3d output above, or use the 'Recreate cluster' command.");
        }
    }

    /// <summary>
    /// The cluster's kubeconfig, as k3d prints it to stdout (k3d v5.9.0 cmd/kubeconfig/kubeconfigGet.go:
    /// a "---" line, then the kubeconfig; it changes no file). The AppHost writes it to
    /// <see cref="K3dSettings.KubeconfigPath"/> itself.
    /// </summary>
    public async Task<string> KubeconfigAsync(string name, CancellationToken cancellationToken)
    {
        var result = await RunAsync(K3dCommand, ["kubeconfig", "get", name], Quick, null, cancellationToken);
        if (!result.Succeeded || result.StandardOutput.Length == 0)
        {
            throw new ClusterSetupException($"'k3d kubeconfig get {name}' failed: {K3dErrorLine(result)}", "Use the 'Recreate cluster' command.");
        }

        return result.StandardOutput;
    }

    private async Task<ProcessResult> RunAsync(
        string program, string[] arguments, TimeSpan timeout, Action<string>? onLine, CancellationToken cancellationToken,
        Func<ClusterSetupException>? notFound = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var isK3d = program == K3dCommand;
        Action<string>? readable = onLine is null ? null
            : isK3d ? line => onLine(K3dLogLine.Readable(line))
            : line => onLine(TerminalText.StripEscapes(line));
        try
        {
            var result = await runner.RunAsync(new ProcessRequest(program, arguments, timeout, readable, isK3d ? K3dEnvironment : environment), cancellationToken);
            return result with { StandardOutput = TerminalText.StripEscapes(result.StandardOutput), StandardError = TerminalText.StripEscapes(result.StandardError) };
        }
        catch (ToolNotFoundException ex)
        {
            throw notFound?.Invoke() ?? new ClusterSetupException($"{program} not found on PATH.", "Install it, or run KafkaDemo:Mode=embedded.", ex);
        }
        catch (TimeoutException ex)
        {
            throw new ClusterSetupException(ex.Message, $"Check that Docker is responsive ('{Docker} info') and try again.", ex);
        }
    }

    private static IEnumerable<string> Lines(ProcessResult result) =>
        (result.StandardError + "\n" + result.StandardOutput).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);

    /// <summary>What k3d said went wrong: its last error, fatal or panic message, else its first line.</summary>
    private static string K3dErrorLine(ProcessResult result) =>
        Lines(result).Select(K3dLogLine.Parse).LastOrDefault(l => l is { IsError: true })?.Message
        ?? Lines(result).Select(K3dLogLine.Readable).FirstOrDefault()
        ?? $"exit code {result.ExitCode}";

    /// <summary>What docker said went wrong: its last ERROR line (BuildKit's "ERROR: failed to solve: ..."), else its first line.</summary>
    private static string DockerErrorLine(ProcessResult result) =>
        Lines(result).LastOrDefault(l => l.StartsWith("ERROR", StringComparison.Ordinal) || l.StartsWith("unknown flag", StringComparison.Ordinal))
        ?? result.FirstErrorLine;

    [GeneratedRegex(@"k3d version v(\d+)\.(\d+)\.(\d+)")]
    private static partial Regex VersionLine();
}
