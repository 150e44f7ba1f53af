using System.Text;
using System.Text.RegularExpressions;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// The agent's container image as <c>k3d/agent/Dockerfile</c> builds it: its OCI config (ENV,
/// WORKDIR, USER: read from the Dockerfile, on top of the base image's), which the fake's kubelet
/// gives every container of the image, and the executables this stand-in emulates in it. A change
/// to the Dockerfile's ENV changes what the programs see.
/// </summary>
public sealed partial class AgentImage
{
    /// <summary>The image the agent's Deployment names (k3d/agent/deployment.yaml; the AppHost sets the real tag).</summary>
    public const string DeploymentImage = "kafkademo-vibectl:built-by-the-apphost";

    /// <summary>
    /// The base images the Dockerfile may start from, with their config's ENV: python:3.12.10-slim-bookworm
    /// is docker-library/python 3.12/slim-bookworm/Dockerfile (ENV PATH /usr/local/bin:$PATH over
    /// debian:bookworm-slim's PATH, LANG C.UTF-8, GPG_KEY, PYTHON_VERSION, PYTHON_SHA256), with
    /// neither WORKDIR nor USER.
    /// </summary>
    private static readonly Dictionary<string, IReadOnlyList<string>> BaseImages = new(StringComparer.Ordinal)
    {
        ["python:3.12.10-slim-bookworm"] =
        [
            "PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG=C.UTF-8",
            "GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305",
            "PYTHON_VERSION=3.12.10",
            "PYTHON_SHA256=07ab697474595e06f06647417d3c7fa97ded07afc1a7e4454c5639919b46eaea",
        ],
    };

    private readonly Dictionary<string, IContainerProgram> executables;

    private AgentImage(string name, ImageConfig config, string entrypoint, IdleEntrypoint entrypointProgram)
    {
        Name = name;
        Config = config;
        Entrypoint = entrypoint;
        EntrypointProgram = entrypointProgram;
        IContainerProgram[] programs =
        [
            new EnvProgram(), new TimeoutProgram(), new FlockProgram(), new CatProgram(),
            new VibectlProgram(), new LlmProgram(), new KubectlProgram(), entrypointProgram,
        ];
        executables = programs.ToDictionary(p => p.Path, StringComparer.Ordinal);
    }

    /// <summary>The image reference pods name.</summary>
    public string Name { get; }

    /// <summary>The image's config, for <see cref="FakeKubernetesApi.RegisterImage"/>.</summary>
    public ImageConfig Config { get; }

    /// <summary>The ENTRYPOINT (the pod's process).</summary>
    public string Entrypoint { get; }

    /// <summary>The ENTRYPOINT's script, as the stand-in runs it.</summary>
    internal IdleEntrypoint EntrypointProgram { get; }

    /// <summary>The image built from the repository's <c>k3d/agent/Dockerfile</c>, under <paramref name="name"/>.</summary>
    public static AgentImage FromRepository(string name = DeploymentImage)
    {
        var context = Path.Combine(SharedReference.RepositoryRoot, "k3d", "agent");
        return FromDockerfile(File.ReadAllText(Path.Combine(context, "Dockerfile")), name,
            source => File.Exists(Path.Combine(context, source)) ? File.ReadAllText(Path.Combine(context, source)) : null);
    }

    /// <summary>
    /// The image a Dockerfile builds, as far as its config goes: <c>ARG</c> defaults, <c>FROM</c>
    /// (a known base image), <c>ENV</c> (both forms, with <c>$VAR</c> and <c>${VAR}</c>), <c>WORKDIR</c>,
    /// <c>USER</c> and <c>ENTRYPOINT</c>, and, through <c>COPY</c>, the script the ENTRYPOINT runs
    /// (read from the build context by <paramref name="context"/>); the other instructions only add files.
    /// </summary>
    /// <exception cref="NotSupportedException">A base image, a syntax or an entrypoint script the stand-in does not know.</exception>
    public static AgentImage FromDockerfile(string dockerfile, string name, Func<string, string?>? context = null)
    {
        ArgumentNullException.ThrowIfNull(dockerfile);
        var copies = new Dictionary<string, string>(StringComparer.Ordinal);
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        var env = new List<KeyValuePair<string, string>>();
        string? workingDir = null;
        string? user = null;
        string? entrypoint = null;
        string? from = null;
        foreach (var (instruction, rest) in Instructions(dockerfile))
        {
            switch (instruction)
            {
                case "ARG":
                    var equals = rest.IndexOf('=', StringComparison.Ordinal);
                    args[equals < 0 ? rest.Trim() : rest[..equals].Trim()] = equals < 0 ? "" : Unquote(rest[(equals + 1)..].Trim());
                    break;
                case "FROM":
                    from = Substitute(rest.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], args, env);
                    if (!BaseImages.TryGetValue(from, out var baseEnv))
                    {
                        throw new NotSupportedException($"The agent image starts FROM {from}, whose config the stand-in does not know (it knows {string.Join(", ", BaseImages.Keys)}).");
                    }

                    env = [.. baseEnv.Select(e => new KeyValuePair<string, string>(e[..e.IndexOf('=', StringComparison.Ordinal)], e[(e.IndexOf('=', StringComparison.Ordinal) + 1)..]))];
                    break;
                case "ENV":
                    foreach (var (key, value) in EnvPairs(rest))
                    {
                        var substituted = Substitute(value, args, env);
                        env.RemoveAll(e => e.Key == key);
                        env.Add(new(key, substituted));
                    }

                    break;
                case "WORKDIR":
                    workingDir = ContainerFiles.Normalize(Substitute(rest.Trim(), args, env), workingDir ?? "/");
                    break;
                case "USER":
                    user = Substitute(rest.Trim(), args, env);
                    break;
                case "ENTRYPOINT":
                    entrypoint = System.Text.Json.JsonSerializer.Deserialize<string[]>(rest.Trim())?.FirstOrDefault();
                    break;
                case "COPY":
                    // COPY [--chmod=...] [--chown=...] SOURCE DEST: which build-context file lands where.
                    var words = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
                    if (words.Count == 2)
                    {
                        copies[Substitute(words[1], args, env)] = words[0];
                    }

                    break;
            }
        }

        if (from is null || entrypoint is null)
        {
            throw new NotSupportedException("The Dockerfile has no FROM or no exec-form ENTRYPOINT.");
        }

        return new AgentImage(name, new ImageConfig { Env = [.. env.Select(e => $"{e.Key}={e.Value}")], WorkingDir = workingDir, User = user }, entrypoint,
            EntrypointOf(entrypoint, copies, context));
    }

    /// <summary>The ENTRYPOINT's program: the /bin/sh script COPY put there, read and parsed (a construct the stand-in's sh does not model throws here).</summary>
    private static IdleEntrypoint EntrypointOf(string entrypoint, Dictionary<string, string> copies, Func<string, string?>? context)
    {
        if (!copies.TryGetValue(entrypoint, out var source))
        {
            return new IdleEntrypoint(entrypoint, null, "no COPY puts it there");
        }

        if (context?.Invoke(source) is not { } text)
        {
            return new IdleEntrypoint(entrypoint, null, $"{source} is not in the build context given");
        }

        return text.StartsWith("#!/bin/sh\n", StringComparison.Ordinal)
            ? new IdleEntrypoint(entrypoint, ShellScript.Parse(entrypoint, text), null)
            : new IdleEntrypoint(entrypoint, null, $"{source} is not a /bin/sh script");
    }

    /// <summary>The emulated program at a path, with Debian bookworm's merged /usr (/bin is /usr/bin, /sbin is /usr/sbin).</summary>
    internal IContainerProgram? Program(string path)
    {
        var canonical = path.StartsWith("/bin/", StringComparison.Ordinal) ? "/usr" + path
            : path.StartsWith("/sbin/", StringComparison.Ordinal) ? "/usr" + path
            : path;
        return executables.GetValueOrDefault(canonical);
    }

    /// <summary>The Dockerfile's instructions, continuation lines joined, comments dropped.</summary>
    private static IEnumerable<(string Instruction, string Arguments)> Instructions(string dockerfile)
    {
        var current = new StringBuilder();
        foreach (var raw in dockerfile.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.TrimEnd();
            if (current.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0))
            {
                continue;
            }

            if (current.Length > 0 && line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current.Append(line[..^1]).Append(' ');
                continue;
            }

            current.Append(line);
            var text = current.ToString().Trim();
            current.Clear();
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            yield return space < 0 ? (text.ToUpperInvariant(), "") : (text[..space].ToUpperInvariant(), text[(space + 1)..].Trim());
        }
    }

    /// <summary><c>ENV key=value key2="v 2"</c>, or the legacy <c>ENV key value</c>.</summary>
    private static IEnumerable<(string Key, string Value)> EnvPairs(string rest)
    {
        var firstSpace = rest.IndexOf(' ', StringComparison.Ordinal);
        var firstEquals = rest.IndexOf('=', StringComparison.Ordinal);
        if (firstEquals < 0 || (firstSpace >= 0 && firstSpace < firstEquals))
        {
            yield return (rest[..firstSpace], rest[(firstSpace + 1)..].Trim());
            yield break;
        }

        foreach (Match pair in EnvPairPattern().Matches(rest))
        {
            yield return (pair.Groups["key"].Value, Unquote(pair.Groups["value"].Value));
        }
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' && value[^1] == '"' || value[0] == '\'' && value[^1] == '\'') ? value[1..^1] : value;

    private static string Substitute(string value, IReadOnlyDictionary<string, string> args, List<KeyValuePair<string, string>> env) =>
        VariablePattern().Replace(value, m =>
        {
            var name = m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["bare"].Value;
            var fromEnv = env.LastOrDefault(e => e.Key == name);
            return fromEnv.Key is not null ? fromEnv.Value : args.GetValueOrDefault(name, "");
        });

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>""[^""]*""|'[^']*'|\S*)")]
    private static partial Regex EnvPairPattern();

    [GeneratedRegex(@"\$(?:\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?<bare>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex VariablePattern();
}
