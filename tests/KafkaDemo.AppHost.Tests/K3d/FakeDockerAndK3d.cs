using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using KafkaDemo.AppHost.Images;
using KafkaDemo.AppHost.Tools;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>
/// Stands in for the docker and k3d command-line tools: answers what they print, on the stream they
/// print it on, keeps which clusters and images exist, and records every call with its arguments
/// and environment. Where the real tools' output depends on the environment, so does this one's,
/// and where unsure it is stricter:
/// <list type="bullet">
/// <item>k3d logs through logrus as k3d v5.9.0 cmd/root.go initLogging sets it up: colour codes
/// (ForceColors) unless LOG_COLORS parses as false, key=value lines when it does; the level from
/// LOG_LEVEL (info by default); info, debug and trace on stdout, warnings and errors on stderr.
/// Every command starts with initRuntime's "Runtime Info" debug line.</item>
/// <item>docker build follows docker/cli cmd/docker/builder.go processBuilder (DOCKER_BUILDKIT,
/// buildx present or not) and buildx's drivers: a docker-container builder keeps the result in the
/// build cache unless --load, and that is the builder it uses unless told otherwise. -f names the
/// Dockerfile (else the context's own), and the context the builder receives is the folder minus
/// what the context root's .dockerignore excludes (read with the AppHost's own DockerIgnore).</item>
/// <item>docker network inspect --format '{{json .IPAM.Config}}' prints the network's IPAM entries
/// (moby api/types/network IPAMConfig: Subnet, Gateway, omitempty); k3d cluster create makes the
/// network k3d-NAME (its "Created network" line) and cluster delete removes it.</item>
/// </list>
/// </summary>
internal sealed partial class FakeDockerAndK3d : IProcessRunner
{
    private readonly ConcurrentDictionary<string, bool> _clusters = new(StringComparer.Ordinal);

    public bool DockerInstalled { get; set; } = true;

    public bool DockerRunning { get; set; } = true;

    public long DockerMemoryBytes { get; set; } = 16L << 30;

    /// <summary>Whether the buildx CLI plugin is installed (Docker Desktop and docker-ce ship it).</summary>
    public bool BuildxInstalled { get; set; } = true;

    /// <summary>
    /// The driver of the builder "docker build" uses. Stricter than a fresh install (the docker
    /// driver, which loads into the image store): a docker-container builder, as BUILDX_BUILDER or
    /// "docker buildx install" would select, which loads nothing without --load.
    /// </summary>
    public string BuilderDriver { get; set; } = "docker-container";

    /// <summary>What "k3d version" prints on its first line; null means k3d is not installed.</summary>
    public string? K3dVersion { get; set; } = "v5.9.0";

    /// <summary>The kubeconfig "k3d kubeconfig get" prints (the fake API server's, in the AppHost tests).</summary>
    public string Kubeconfig { get; set; } = "";

    /// <summary>
    /// What a child process inherits: the environment the AppHost was started in (a user's shell may
    /// have LOG_LEVEL=debug or DOCKER_BUILDKIT=0). Empty by default, so this machine's own variables
    /// do not leak into a test.
    /// </summary>
    public Dictionary<string, string> InheritedEnvironment { get; } = new(StringComparer.Ordinal);

    /// <summary>The config file's contents at each "k3d cluster create --config".</summary>
    public ConcurrentQueue<string> CreatedFromConfigs { get; } = new();

    /// <summary>Every command line run, in order.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Every command line run with the environment it saw (inherited, then the request's variables over it).</summary>
    public ConcurrentQueue<(string CommandLine, IReadOnlyDictionary<string, string> Environment)> Runs { get; } = new();

    /// <summary>Called after a cluster is created or started, e.g. to bring a fake API server's world up.</summary>
    public Action<string>? OnClusterUp { get; set; }

    public IReadOnlyDictionary<string, bool> Clusters => _clusters;

    /// <summary>Images in Docker's image store (built and loaded, or pulled).</summary>
    public ConcurrentBag<string> Images { get; } = [];

    /// <summary>The build contexts' file names at each "docker build".</summary>
    public ConcurrentQueue<IReadOnlyList<string>> BuildContexts { get; } = new();

    /// <summary>
    /// The gateway address of the networks k3d makes (Docker's first bridge pool, 172.18.0.0/16, on a fresh engine), which
    /// network inspect reports and FakeCluster resolves host.k3d.internal to. No address of this machine, so the AppHost's
    /// OTLP forwarder cannot listen on it; a test that carries telemetry sets a loopback address instead.
    /// </summary>
    public string NetworkGateway { get; set; } = "172.18.0.1";

    /// <summary>Docker networks by name, with their gateway.</summary>
    public ConcurrentDictionary<string, string> Networks { get; } = new(StringComparer.Ordinal);

    /// <summary>The Dockerfile each "docker build" read (-f, or the context's own), in order.</summary>
    public ConcurrentQueue<string> BuiltDockerfiles { get; } = new();

    public void AddCluster(string name, bool running)
    {
        _clusters[name] = running;
        Networks[$"k3d-{name}"] = NetworkGateway;
    }

    public Task<ProcessResult> RunAsync(ProcessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Calls.Enqueue(request.CommandLine);
        var environment = new Dictionary<string, string>(InheritedEnvironment, StringComparer.Ordinal);
        foreach (var (name, value) in request.Environment ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        Runs.Enqueue((request.CommandLine, environment));
        var args = request.Arguments;
        var output = new Output(request.OnLine);
        var program = Path.GetFileName(request.Program);
        if (program == "k3d")
        {
            if (K3dVersion is null)
            {
                throw new ToolNotFoundException(request.Program);
            }

            var log = new K3dLog(output, environment);
            // cmd/root.go initRuntime, on every command: l.Log().Debugf("Runtime Info:\n%+v", rtinfo).
            log.Write(K3dLog.Debug, "Runtime Info:\n&{Name:docker Endpoint:/var/run/docker.sock Version:28.2.2 OSType:linux OS:Debian GNU/Linux 12 (bookworm) Arch:x86_64 CgroupVersion:2 CgroupDriver:systemd Filesystem:extfs InfoName:fake-docker}");
            return Task.FromResult(K3d(args, output, log));
        }

        return Task.FromResult((program, args.Count > 0 ? args[0] : null) switch
        {
            ("docker", "info") => DockerInfo(output),
            ("docker", "image") when args.Count > 1 && args[1] == "inspect" => Images.Contains(args[^1])
                ? output.Out("sha256:0123").Exit(0)
                : output.Err($"Error: No such image: {args[^1]}").Exit(1),
            ("docker", "build") => Build(args, environment, output),
            ("docker", "tag") when args.Count == 3 => Tag(args[1], args[2], output),
            ("docker", "push") when args.Count == 2 => Push(args[1], output),
            ("docker", "network") when args.Count == 5 && args[1] == "inspect" && args[2] == "--format" && args[3] == "{{json .IPAM.Config}}" => NetworkInspect(args[4], output),
            _ => output.Err($"fake: unexpected command {request.CommandLine}").Exit(127),
        });
    }

    private ProcessResult K3d(IReadOnlyList<string> args, Output output, K3dLog log)
    {
        switch (args.ElementAtOrDefault(0))
        {
            case "version":
                return output.Out($"k3d version {K3dVersion}\nk3s version v1.32.5-k3s1 (default)").Exit(0);
            case "cluster":
                return Cluster(args, output, log);
            case "image" when args.Count > 2 && args[1] == "import":
                // cmd/image/imageImport.go: per cluster an Infof, an Errorf on failure, then a Warnln and exit 1.
                var cluster = args.Count > 4 && args[3] == "--cluster" ? args[4] : "k3s-default";
                log.Write(K3dLog.Info, $"Importing image(s) into cluster '{cluster}'");
                if (!Images.Contains(args[2]))
                {
                    log.Write(K3dLog.Error, $"Failed to import image(s) into cluster '{cluster}': failed to find images: no valid images specified");
                    log.Write(K3dLog.Warn, "At least one error occured while trying to import the image(s) into the selected cluster(s)");
                    return output.Exit(1);
                }

                log.Write(K3dLog.Info, "Saving 1 image(s) from runtime...");
                log.Write(K3dLog.Info, "Importing images into nodes...");
                log.Write(K3dLog.Info, "Removing the tarball(s) from image volume...");
                log.Write(K3dLog.Info, "Removing k3d-tools node...");
                log.Write(K3dLog.Info, "Successfully imported image(s)");
                log.Write(K3dLog.Info, "Successfully imported 1 image(s) into 1 cluster(s)");
                return output.Exit(0);
            case "kubeconfig" when args.Count == 3 && args[1] == "get":
                // cmd/kubeconfig/kubeconfigGet.go: ClusterGet fails with Fatalln; else "---", then the kubeconfig on stdout.
                if (!_clusters.ContainsKey(args[2]))
                {
                    log.Write(K3dLog.Fatal, "No nodes found for given cluster");
                    return output.Exit(1);
                }

                return output.Out("---").Out(Kubeconfig.TrimEnd('\n')).Exit(0);
            default:
                return output.Err($"fake: unexpected k3d {string.Join(' ', args)}").Exit(127);
        }
    }

    private ProcessResult Build(IReadOnlyList<string> args, Dictionary<string, string> environment, Output output)
    {
        // docker/cli cmd/docker/builder.go processBuilder: DOCKER_BUILDKIT decides, then whether buildx is there.
        var legacy = false;
        var enforced = false;
        if (environment.TryGetValue("DOCKER_BUILDKIT", out var buildkit))
        {
            if (!K3dLog.TryParseGoBool(buildkit, out var enabled))
            {
                return output.Err($"DOCKER_BUILDKIT environment variable expects boolean value: strconv.ParseBool: parsing \"{buildkit}\": invalid syntax").Exit(1);
            }

            legacy = !enabled;
            enforced = enabled;
        }

        if (!legacy && !BuildxInstalled)
        {
            if (enforced)
            {
                return output.Err("ERROR: BuildKit is enabled but the buildx component is missing or broken.\n       Install the buildx component to build images with BuildKit:\n       https://docs.docker.com/go/buildx/").Exit(1);
            }

            legacy = true;
        }

        var context = args[^1];
        var fileFlag = args.ToList().FindIndex(a => a is "-f" or "--file");
        var dockerfile = fileFlag >= 0 ? args[fileFlag + 1] : Path.Combine(context, "Dockerfile");
        if (!File.Exists(dockerfile))
        {
            // Stricter than either builder's wording (BuildKit: "failed to solve: failed to read dockerfile"):
            // a missing Dockerfile fails the build before anything is made.
            return output.Err($"ERROR: failed to solve: failed to read dockerfile: open {Path.GetFileName(dockerfile)}: no such file or directory").Exit(1);
        }

        if (legacy)
        {
            // The legacy builder has no --load, and cannot build ADD/COPY --chmod.
            if (args.Contains("--load"))
            {
                return output.Err("unknown flag: --load\nSee 'docker build --help'.").Exit(125);
            }

            if (File.ReadAllText(dockerfile).Contains("--chmod", StringComparison.Ordinal))
            {
                return output.Err("the --chmod option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled").Exit(1);
            }
        }

        var tag = args[args.ToList().IndexOf("--tag") + 1];
        BuiltDockerfiles.Enqueue(dockerfile);
        var ignorePath = Path.Combine(context, ".dockerignore");
        var ignore = DockerIgnore.Parse(File.Exists(ignorePath) ? File.ReadAllText(ignorePath) : "");
        BuildContexts.Enqueue([.. Directory.EnumerateFiles(context, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(context, f).Replace('\\', '/'))
            .Where(f => !ignore.Excludes(f))
            .Order(StringComparer.Ordinal)]);
        output.Err("#0 building with \"" + (BuilderDriver == "docker" ? "default" : "container-builder") + "\" instance using " + BuilderDriver + " driver");
        output.Err("#1 [internal] load build definition from Dockerfile");
        output.Err("#1 DONE 0.0s");
        if (legacy || BuilderDriver == "docker" || args.Contains("--load"))
        {
            output.Err($"#9 naming to docker.io/library/{tag} done");
            Images.Add(tag);
        }
        else
        {
            // Docker docs, Build drivers: other drivers export to the build cache only unless --load.
            output.Err($"WARNING: No output specified with {BuilderDriver} driver. Build result will only remain in the build cache. To push result image into registry use --push or to load image into docker use --load");
        }

        return output.Exit(0);
    }

    /// <summary>Images pushed, by their full reference (registry/path/name:tag).</summary>
    public ConcurrentQueue<string> Pushed { get; } = new();

    /// <summary>The registries (the first path part of a reference) that refuse pushes, as one this machine is not logged in to.</summary>
    public HashSet<string> DeniedRegistries { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// "docker tag SOURCE TARGET", as docker/cli v29.7.2 cli/command/image/tag.go runs it: the moby client's
    /// ImageTag (moby client/image_tag.go) first parses TARGET with distribution/reference's ParseNormalizedNamed
    /// and fails with 'error parsing reference: "TARGET" is not a valid repository/tag: invalid reference format';
    /// then the daemon (daemon/server/router/image/image_routes.go postImagesTag) looks SOURCE up and answers
    /// NotFound "No such image: SOURCE" (daemon/images/image.go ErrImageDoesNotExist), which the CLI prints as
    /// "Error response from daemon: ..." on stderr with exit code 1 (cmd/docker/docker.go main, getExitCode).
    /// Stricter than Docker: the target must carry a tag (docker would tag :latest), and its registry must be a
    /// host name (no IPv6 literal).
    /// </summary>
    private ProcessResult Tag(string source, string target, Output output)
    {
        if (!ReferenceFormat().IsMatch(target))
        {
            return output.Err($"error parsing reference: \"{target}\" is not a valid repository/tag: invalid reference format").Exit(1);
        }

        if (!Images.Contains(source))
        {
            return output.Err($"Error response from daemon: No such image: {source}").Exit(1);
        }

        if (!target.Contains(':', StringComparison.Ordinal) || target.LastIndexOf(':') < target.LastIndexOf('/'))
        {
            return output.Err($"fake: 'docker tag {source} {target}' without a tag in the target (stricter than docker, which would tag :latest)").Exit(1);
        }

        Images.Add(target);
        return output.Exit(0);
    }

    /// <summary>
    /// distribution/reference's reference grammar (moby vendor/github.com/distribution/reference/regexp.go:
    /// an optional domain with port, lowercase path components joined by '.', '_', '__' or dashes, a tag of
    /// at most 128 word characters, dots and dashes), without a digest and without IPv6 hosts.
    /// </summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$")]
    private static partial System.Text.RegularExpressions.Regex ReferenceFormat();

    /// <summary>
    /// "docker push NAME:TAG" (docker/cli v29.7.2 cli/command/image/push.go runPush: the daemon's JSON stream
    /// goes to stdout, its error to stderr with exit code 1). The daemon (moby daemon/internal/distribution/push.go
    /// Push; daemon/containerd/image_push.go PushImage with the containerd store) first prints "The push refers
    /// to repository [NAME]", then fails with "An image does not exist locally with the tag: NAME" when the store
    /// has no such reference (docker/cli e2e/image/push_test.go TestPushQuietErrors: exit 1, "does not exist" on
    /// stderr). A registry that refuses answers errcode DENIED, printed "denied: requested access to the resource
    /// is denied" (moby vendor docker/distribution registry/api/errcode register.go ErrorCodeDenied, errors.go
    /// ErrorCode.Error lower-cases the value). Stricter than Docker: a reference without a tag fails (runPush
    /// would push :latest, saying "Using default tag: latest"), and a tagged reference missing from the store fails with
    /// the graph-driver store's line whichever store (the containerd store words it otherwise).
    /// </summary>
    private ProcessResult Push(string image, Output output)
    {
        var colon = image.LastIndexOf(':');
        var name = colon > image.LastIndexOf('/') ? image[..colon] : image;
        output.Out($"The push refers to repository [{name}]");
        if (!Images.Contains(image) || colon <= image.LastIndexOf('/'))
        {
            return output.Err($"An image does not exist locally with the tag: {name}").Exit(1);
        }

        if (DeniedRegistries.Contains(image.Split('/')[0]))
        {
            return output.Out("5f70bf18a086: Preparing").Err("denied: requested access to the resource is denied").Exit(1);
        }

        Pushed.Enqueue(image);
        return output.Out("5f70bf18a086: Pushed").Out($"{image[(colon + 1)..]}: digest: sha256:{new string('0', 64)} size: 528").Exit(0);
    }

    private ProcessResult NetworkInspect(string network, Output output) =>
        Networks.TryGetValue(network, out var gateway)
            ? output.Out(JsonSerializer.Serialize(new[] { new { Subnet = gateway[..gateway.LastIndexOf('.')] + ".0/16", Gateway = gateway } })).Exit(0)
            // The CLI prints what it found (nothing) as JSON, then the daemon's 404 (docker/cli cli/command/inspect.Inspect).
            : output.Out("[]").Err($"Error response from daemon: network {network} not found").Exit(1);

    private ProcessResult DockerInfo(Output output)
    {
        if (!DockerInstalled)
        {
            throw new ToolNotFoundException("docker");
        }

        return DockerRunning
            ? output.Out(JsonSerializer.Serialize(new { ServerVersion = "28.2.2", MemTotal = DockerMemoryBytes, NCPU = 8, ServerErrors = Array.Empty<string>() })).Exit(0)
            : output.Err("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?").Exit(1);
    }

    private ProcessResult Cluster(IReadOnlyList<string> args, Output output, K3dLog log)
    {
        switch (args.ElementAtOrDefault(1))
        {
            case "list":
                return output.Out(JsonSerializer.Serialize(_clusters.Select(c => new
                {
                    name = c.Key,
                    serversRunning = c.Value ? 1 : 0,
                    serversCount = 1,
                    agentsRunning = c.Value ? 2 : 0,
                    agentsCount = 2,
                }))).Exit(0);
            case "create" when args.Count == 4 && args[2] == "--config":
                var config = File.ReadAllText(args[3]);
                CreatedFromConfigs.Enqueue(config);
                var name = config.Split('\n').SkipWhile(l => !l.StartsWith("metadata:", StringComparison.Ordinal)).Skip(1).First().Split(':')[1].Trim();
                log.Write(K3dLog.Info, $"Using config file {args[3]} (k3d.io/v1alpha5#simple)");
                log.Write(K3dLog.Info, "Prep: Network");
                log.Write(K3dLog.Info, $"Created network 'k3d-{name}'");
                Networks[$"k3d-{name}"] = NetworkGateway;
                log.Write(K3dLog.Info, $"Cluster '{name}' created successfully!");
                log.Write(K3dLog.Info, "You can now use it like this:");
                // cmd/cluster/clusterCreate.go: with updateDefaultKubeconfig and switchCurrentContext false, fmt.Printf on stdout.
                output.Out($"export KUBECONFIG=$(k3d kubeconfig write {name})").Out("kubectl cluster-info");
                _clusters[name] = true;
                OnClusterUp?.Invoke(name);
                return output.Exit(0);
            case "start" when args.Count == 3:
                log.Write(K3dLog.Info, "Using the k3d-tools node to gather environment information");
                log.Write(K3dLog.Info, $"Starting cluster '{args[2]}'");
                _clusters[args[2]] = true;
                OnClusterUp?.Invoke(args[2]);
                log.Write(K3dLog.Info, $"Started cluster '{args[2]}'");
                return output.Exit(0);
            case "delete" when args.Count == 3:
                _clusters.TryRemove(args[2], out _);
                Networks.TryRemove($"k3d-{args[2]}", out _);
                log.Write(K3dLog.Info, $"Deleting cluster '{args[2]}'");
                log.Write(K3dLog.Info, $"Deleting cluster network 'k3d-{args[2]}'");
                log.Write(K3dLog.Info, $"Successfully deleted cluster {args[2]}!");
                return output.Exit(0);
            default:
                return output.Err($"fake: unexpected k3d cluster {string.Join(' ', args)}").Exit(1);
        }
    }

    /// <summary>Standard output and error as CliProcessRunner collects them: every line also to OnLine, as it is written.</summary>
    internal sealed class Output(Action<string>? onLine)
    {
        private readonly StringBuilder _out = new();
        private readonly StringBuilder _err = new();

        public Output Out(string text) => Write(_out, text);

        public Output Err(string text) => Write(_err, text);

        public ProcessResult Exit(int code) => new(code, _out.ToString(), _err.ToString());

        private Output Write(StringBuilder stream, string text)
        {
            foreach (var line in text.Split('\n'))
            {
                stream.Append(line).Append('\n');
                onLine?.Invoke(line);
            }

            return this;
        }
    }

    /// <summary>k3d's logger: logrus 1.9 TextFormatter as k3d v5.9.0 cmd/root.go initLogging configures it.</summary>
    internal sealed class K3dLog(Output output, IReadOnlyDictionary<string, string> environment)
    {
        // logrus levels: panic 0, fatal 1, error 2, warn 3, info 4, debug 5, trace 6.
        public const int Fatal = 1;
        public const int Error = 2;
        public const int Warn = 3;
        public const int Info = 4;
        public const int Debug = 5;

        private static readonly string[] Names = ["panic", "fatal", "error", "warning", "info", "debug", "trace"];

        /// <summary>Whether colour codes are written: ForceColors: true, replaced by LOG_COLORS when it parses (strconv.ParseBool).</summary>
        public bool Colored => !environment.TryGetValue("LOG_COLORS", out var value) || !TryParseGoBool(value, out var colors) || colors;

        /// <summary>The level: info, or LOG_LEVEL when logrus.ParseLevel accepts it.</summary>
        public int Level => environment.TryGetValue("LOG_LEVEL", out var value) && ParseLevel(value) is { } level ? level : Info;

        public void Write(int level, string message)
        {
            if (level > Level)
            {
                return;
            }

            string line;
            if (Colored)
            {
                // text_formatter.go printColored: colour, the level's first four letters, seconds since start, the message padded to 44.
                var color = level switch { <= Error => 31, Warn => 33, Info => 36, _ => 37 };
                line = string.Create(CultureInfo.InvariantCulture, $"\u001b[{color}m{Names[level].ToUpperInvariant()[..4]}\u001b[0m[0000] {message,-44} ");
            }
            else
            {
                // text_formatter.go Format: time, level and msg as key=value, quoted (%q) when needed.
                line = $"time=\"2026-11-30T06:00:00Z\" level={Names[level]} msg={Quote(message)}";
            }

            // The writer hooks: panic, fatal, error and warn to stderr; info, debug and trace to stdout.
            if (level <= Warn)
            {
                output.Err(line);
            }
            else
            {
                output.Out(line);
            }
        }

        /// <summary>Go's strconv.ParseBool.</summary>
        public static bool TryParseGoBool(string value, out bool result)
        {
            switch (value)
            {
                case "1" or "t" or "T" or "TRUE" or "true" or "True": result = true; return true;
                case "0" or "f" or "F" or "FALSE" or "false" or "False": result = false; return true;
                default: result = false; return false;
            }
        }

        private static int? ParseLevel(string value) => value.ToLowerInvariant() switch
        {
            "panic" => 0,
            "fatal" => 1,
            "error" => 2,
            "warn" or "warning" => 3,
            "info" => 4,
            "debug" => 5,
            "trace" => 6,
            _ => null,
        };

        // text_formatter.go needsQuoting: anything but letters, digits and -._/@^+ is quoted with %q
        // (Go's strconv.Quote, as the fake API server writes it).
        private static string Quote(string text) =>
            text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '/' or '@' or '^' or '+')
                ? text
                : GoString.Quote(text);
    }
}
