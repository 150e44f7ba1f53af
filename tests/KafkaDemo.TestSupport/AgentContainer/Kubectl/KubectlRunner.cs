using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// Runs the real <c>kubectl</c> (the v1.32 client on the test machine, as the image's v1.32.4) for a
/// process in the agent pod, against the fake API server, as the pod's service account: the
/// kubeconfig is the one the container's <c>KUBECONFIG</c> names (k3d/agent/kubeconfig.yaml, mounted
/// from a ConfigMap), with the server (https://kubernetes.default.svc inside a cluster) rewritten to
/// the fake's address, and the files it names (<c>tokenFile</c>, <c>certificate-authority</c>) read
/// from the pod's projected service-account volume. Over HTTPS kubectl verifies the fake's serving
/// certificate with the pod's <c>ca.crt</c> under the name it would check in a cluster
/// (<c>tls-server-name: kubernetes.default.svc</c>) and sends the pod's token. Over plain HTTP (a fake
/// without TLS) the CA is dropped and kubectl sends no token at all: client-go reads a kubeconfig's
/// credentials only for a TLS server (tools/clientcmd/client_config.go, "only try to read the auth
/// information if we are secure"), so its requests are then anonymous. Each pod gets a private
/// directory for that kubeconfig and kubectl's cache.
/// </summary>
internal sealed class KubectlRunner(Func<Uri> apiAddress) : IDisposable
{
    private readonly Dictionary<string, string> directories = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>The kubectl binary on the test machine, or null.</summary>
    public static string? HostKubectl => ExternalTool.Find("kubectl");

    /// <summary>
    /// kubectl ARGS for <paramref name="context"/>'s process, with <paramref name="stdin"/> as its
    /// input (null: none); killed when the process is. Returns the exit code and both outputs, or a
    /// stand-in gap when the container's kubectl set-up is one this runner does not model.
    /// </summary>
    public async Task<KubectlResult> RunAsync(ProgramContext context, IReadOnlyList<string> args, string? stdin)
    {
        if (HostKubectl is not { } kubectl)
        {
            context.Pod.Programs.RecordGap("kubectl is not installed on the test machine, so the agent's kubectl cannot run (tests that need it must skip first: RequiredTools.Kubectl())");
            return new KubectlResult(127, "", "stand-in: no kubectl on the test machine");
        }

        if (args.Any(a => a == "--kubeconfig" || a.StartsWith("--kubeconfig=", StringComparison.Ordinal)))
        {
            context.Pod.Programs.RecordGap($"kubectl --kubeconfig (a path in the container) is not modelled: kubectl {string.Join(' ', args)}");
            return new KubectlResult(1, "", "stand-in: --kubeconfig is not modelled");
        }

        var directory = DirectoryFor(context.Pod);
        if (await PrepareKubeconfigAsync(context, directory) is { } problem)
        {
            context.Pod.Programs.RecordGap(problem);
            return new KubectlResult(1, "", $"stand-in: {problem}");
        }

        var start = new ProcessStartInfo(kubectl)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        start.Environment["KUBECONFIG"] = Path.Combine(directory, "config");
        start.Environment["KUBECACHEDIR"] = Path.Combine(directory, "cache");
        start.Environment["HOME"] = directory;
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start.");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(context.Dying);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }

        return new KubectlResult(process.ExitCode, await output, await error);
    }

    private string DirectoryFor(AgentPod pod)
    {
        lock (gate)
        {
            if (!directories.TryGetValue(pod.Uid, out var directory))
            {
                directory = Directory.CreateTempSubdirectory("kafkademo-agent-kubectl-").FullName;
                directories[pod.Uid] = directory;
            }

            return directory;
        }
    }

    /// <summary>The container's kubeconfig, rewritten for the fake; a description of what is not modelled, or null.</summary>
    private async Task<string?> PrepareKubeconfigAsync(ProgramContext context, string directory)
    {
        if (!context.Environment.TryGetValue("KUBECONFIG", out var path) || path.Length == 0)
        {
            return "kubectl without KUBECONFIG (in-cluster configuration) is not modelled";
        }

        if (path.Contains(':', StringComparison.Ordinal))
        {
            return $"a KUBECONFIG list ({path}) is not modelled";
        }

        JsonObject config;
        try
        {
            config = YamlDocument.Parse(context.Files.ReadAllText(ContainerFiles.Normalize(path, context.WorkingDirectory))) as JsonObject
                ?? throw new FormatException("not a mapping");
        }
        catch (ContainerFileException e)
        {
            return $"the container's kubeconfig {path} cannot be read ({e.Message}); kubectl's message for that is not modelled";
        }
        catch (Exception e) when (e is FormatException or ApiStatusException)
        {
            return $"the container's kubeconfig {path} is not YAML the stand-in reads: {e.Message}";
        }

        var address = apiAddress();
        var tls = address.Scheme == Uri.UriSchemeHttps;
        var index = 0;
        foreach (var cluster in (config["clusters"] as JsonArray ?? []).OfType<JsonObject>().Select(c => c["cluster"]).OfType<JsonObject>())
        {
            if (cluster["server"]?.GetValue<string>() is not "https://kubernetes.default.svc" and not "https://kubernetes.default.svc:443")
            {
                return $"a kubeconfig server other than https://kubernetes.default.svc is not modelled: {cluster["server"]}";
            }

            cluster["server"] = address.GetLeftPart(UriPartial.Authority);
            if (!tls)
            {
                cluster.Remove("certificate-authority");
                cluster.Remove("certificate-authority-data");
                continue;
            }

            cluster["tls-server-name"] ??= "kubernetes.default.svc";
            if (cluster["certificate-authority"]?.GetValue<string>() is { } authority)
            {
                cluster["certificate-authority"] = await CopyFromContainerAsync(context, authority, Path.Combine(directory, $"ca-{index++}.crt"));
            }
        }

        foreach (var user in (config["users"] as JsonArray ?? []).OfType<JsonObject>().Select(u => u["user"]).OfType<JsonObject>())
        {
            if (user["tokenFile"]?.GetValue<string>() is { } tokenFile)
            {
                user["tokenFile"] = await CopyFromContainerAsync(context, tokenFile, Path.Combine(directory, $"token-{index++}"));
            }
            else if (user.Any(p => p.Key != "token"))
            {
                return $"kubeconfig credentials other than token and tokenFile are not modelled: {string.Join(", ", user.Select(p => p.Key))}";
            }
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "config"), config.ToJsonString());
        return null;
    }

    /// <summary>
    /// The container's file at <paramref name="path"/> copied to <paramref name="hostPath"/>, as it is
    /// now (a projected token is rotated in place); when the container has no such file the host copy
    /// is removed too, so kubectl fails to read it as it would in the pod.
    /// </summary>
    private static async Task<string> CopyFromContainerAsync(ProgramContext context, string path, string hostPath)
    {
        var inContainer = ContainerFiles.Normalize(path, context.WorkingDirectory);
        if (context.Files.FileExists(inContainer))
        {
            await File.WriteAllBytesAsync(hostPath, context.Files.ReadAllBytes(inContainer));
        }
        else
        {
            File.Delete(hostPath);
        }

        return hostPath;
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var directory in directories.Values)
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (IOException)
                {
                    // kubectl was killed while writing its cache; the temp folder is left to the system.
                }
            }

            directories.Clear();
        }
    }
}

/// <summary>How a kubectl run ended.</summary>
internal sealed record KubectlResult(int ExitCode, string Stdout, string Stderr);
