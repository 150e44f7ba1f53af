using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using k8s;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The fake's one node: the scheduler's binding and the kubelet's work for a pod. It starts a pod's
/// containers as the kubelet does: volumes first (a volume that cannot be set up leaves every container
/// waiting in ContainerCreating), then each container's environment and mounts from the objects as they
/// are at that moment (a failure leaves that container waiting in CreateContainerConfigError with the
/// kubelet's message, and the pod Pending); then it writes the pod's status and, for a failure, the
/// event the kubelet records. It retries waiting containers when a ConfigMap or Secret of their
/// namespace changes (the real kubelet retries on its sync loop, with back-off). It keeps each pod's
/// runtime (emptyDir volumes, containers, exec handler state) by uid until the pod is deleted.
/// </summary>
internal sealed class Kubelet(ObjectStore store, ObjectWriter writer, KindRegistry kinds, TokenRegistry tokens, Func<Uri> apiAddress, ProgramRuntime programs)
{
    /// <summary>The node every pod is bound to.</summary>
    public const string NodeName = "fake-node";

    /// <summary>The node's address (status.hostIP).</summary>
    public const string HostIP = "172.18.0.2";

    private const string Manager = "kubelet";

    private readonly ConcurrentDictionary<string, ImageConfig> images = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PodRuntime> runtimes = new(StringComparer.Ordinal);
    private int addresses;

    public void RegisterImage(string image, ImageConfig config) => images[image] = config;

    /// <summary>Called for every committed change (under the store's lock): a deleted pod's runtime and bound tokens go.</summary>
    public void Forget(StoredEvent change)
    {
        if (change.Type != WatchEventType.Deleted || change.Key.Group.Length != 0 || change.Key.Plural != ResourceType.Pods.Plural)
        {
            return;
        }

        var pod = change.ParseObject();
        var uid = JsonFields.Text(pod, "metadata", "uid");
        if (uid is not null)
        {
            Drop(uid, pod);
        }
    }

    /// <summary>
    /// A deleted pod's runtime goes: its bound tokens stop working, its logs end, and its programs are
    /// stopped (SIGTERM, then SIGKILL after terminationGracePeriodSeconds, default 30, bounded by
    /// <see cref="ContainerProcess.MaximumGrace"/>; kuberuntime_container.go killContainer).
    /// </summary>
    private void Drop(string uid, JsonObject? pod)
    {
        tokens.RevokeBoundTo(uid);
        if (!runtimes.TryRemove(uid, out var runtime))
        {
            return;
        }

        var grace = TimeSpan.FromSeconds(pod?["spec"]?["terminationGracePeriodSeconds"] is JsonValue g && g.TryGetValue<long>(out var seconds) ? seconds : 30);

        // Off the caller's thread: Forget runs under the store's lock, and a thread that holds the
        // runtime's gate may be waiting for that lock to write the pod's status.
        programs.Background(async () =>
        {
            List<RunningContainer> containers;
            lock (runtime.Gate)
            {
                containers = [.. runtime.Running.Values];
            }

            foreach (var container in containers)
            {
                container.Log.Close();
            }

            await Task.WhenAll(containers.Where(c => c.Process is not null).Select(c => c.Process!.StopAsync(grace)));
        });
    }

    /// <summary>A pod's containers and their logs, by pod uid, for pods/log.</summary>
    public PodRuntime? RuntimeOf(string uid) => runtimes.GetValueOrDefault(uid);

    /// <summary>
    /// What the scheduler and the kubelet do for a new pod: bind it to the node at once, start it
    /// after <paramref name="delay"/> (the time to pull and start), and write its status.
    /// </summary>
    public async Task RunAsync(string @namespace, string name, string uid, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (!TryWrite(() => writer.Patch(PodKind, @namespace, name, PatchKind.Merge, new JsonObject { ["spec"] = new JsonObject { ["nodeName"] = NodeName } },
                FieldScope.Main, "kube-scheduler", force: false, dryRun: false)))
        {
            return;
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }

        if (CurrentPod(@namespace, name, uid) is not { } pod)
        {
            return;
        }

        var runtime = runtimes.GetOrAdd(uid, _ => new PodRuntime(uid, @namespace, name, NextPodIP(), startedByKubelet: true));
        lock (runtime.Gate)
        {
            StartWaiting(runtime, pod);
            WriteStatus(runtime, pod);
        }

        if (CurrentPod(@namespace, name, uid) is null)
        {
            // Deleted while it started: Forget may have run before the runtime was added.
            Drop(uid, pod);
        }
    }

    /// <summary>Starts again what waits in a namespace, after a ConfigMap or Secret there changed.</summary>
    public void Retry(string @namespace)
    {
        foreach (var runtime in runtimes.Values.Where(r => r.Namespace == @namespace && r.StartedByKubelet))
        {
            lock (runtime.Gate)
            {
                if (!runtime.HasFailures || CurrentPod(runtime.Namespace, runtime.Name, runtime.Uid) is not { } pod)
                {
                    continue;
                }

                StartWaiting(runtime, pod);
                WriteStatus(runtime, pod);
            }
        }
    }

    /// <summary>
    /// The container an exec runs in, or why there is none (the kubelet's GetExec: <c>container not
    /// found ("name")</c>). A pod a test put in place as Running, which the kubelet never started,
    /// is started now, from the objects as they are.
    /// </summary>
    public (RunningContainer? Container, PodRuntime? Runtime, string? Failure) ForExec(JsonObject pod, string container)
    {
        var uid = JsonFields.Text(pod, "metadata", "uid") ?? "";
        var notFound = $"container not found (\"{container}\")";
        if (!runtimes.TryGetValue(uid, out var runtime))
        {
            if (JsonFields.Text(pod, "status", "phase") != "Running")
            {
                return (null, null, notFound);
            }

            runtime = runtimes.GetOrAdd(uid, _ => new PodRuntime(
                uid, JsonFields.Text(pod, "metadata", "namespace") ?? "", JsonFields.Text(pod, "metadata", "name") ?? "", NextPodIP(), startedByKubelet: false));
        }

        lock (runtime.Gate)
        {
            if (!runtime.StartedByKubelet && !runtime.Running.ContainsKey(container))
            {
                StartWaiting(runtime, pod, container);
            }

            return runtime.Running.TryGetValue(container, out var running) ? (running, runtime, null) : (null, runtime, notFound);
        }
    }

    /// <summary>A running container of the pod that has this name now (not of an earlier pod of the same name).</summary>
    public RunningContainer? Find(string @namespace, string pod, string? container)
    {
        var uid = JsonFields.Text(store.Get(ObjectKey.Of(ResourceType.Pods, @namespace, pod)), "metadata", "uid");
        if (uid is null || !runtimes.TryGetValue(uid, out var runtime))
        {
            return null;
        }

        lock (runtime.Gate)
        {
            return container is null
                ? runtime.Running.Values.SingleOrDefault()
                : runtime.Running.GetValueOrDefault(container);
        }
    }

    private ResourceKind PodKind => kinds.Find(ResourceType.Pods)!;

    private JsonObject? CurrentPod(string @namespace, string name, string uid) =>
        store.Get(ObjectKey.Of(ResourceType.Pods, @namespace, name)) is { } pod && JsonFields.Text(pod, "metadata", "uid") == uid ? pod : null;

    /// <summary>Sets up the volumes and starts every container not yet running (or only <paramref name="only"/>, for a pod the spec of which names none).</summary>
    private void StartWaiting(PodRuntime runtime, JsonObject pod, string? only = null)
    {
        var start = new PodStart(
            pod,
            JsonFields.Text(pod, "spec", "nodeName") ?? NodeName,
            HostIP,
            runtime.PodIP,
            PodStart.ServiceAccountOf(pod),
            ServiceEnvironment(),
            (type, name) => store.Get(ObjectKey.Of(type, runtime.Namespace, name)),
            () => tokens.Issue(PodStart.ServiceAccountOf(pod), runtime.Uid));
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (containers.Count == 0 && only is not null)
        {
            containers.Add(new JsonObject { ["name"] = only });
        }

        containers = [.. containers.Where(c => !runtime.Running.ContainsKey(JsonFields.Text(c, "name") ?? ""))];
        Dictionary<string, VolumeDirectory> volumes;
        try
        {
            volumes = PodVolumes.SetUp(start);
            runtime.MountFailure = null;
        }
        catch (ContainerStartFailure failure)
        {
            Record(runtime, pod, null, failure, runtime.MountFailure);
            runtime.MountFailure = failure;
            foreach (var container in containers)
            {
                runtime.Waiting[JsonFields.Text(container, "name") ?? ""] = failure;
            }

            return;
        }

        foreach (var container in containers)
        {
            var name = JsonFields.Text(container, "name") ?? "";
            try
            {
                runtime.Running[name] = StartContainer(start, pod, container, volumes, runtime);
                runtime.Waiting.Remove(name);
            }
            catch (ContainerStartFailure failure)
            {
                Record(runtime, pod, name, failure, runtime.Waiting.GetValueOrDefault(name));
                runtime.Waiting[name] = failure;
            }
        }
    }

    private RunningContainer StartContainer(PodStart start, JsonObject pod, JsonObject container, IReadOnlyDictionary<string, VolumeDirectory> volumes, PodRuntime runtime)
    {
        var imageName = JsonFields.Text(container, "image") ?? "";
        var image = images.GetValueOrDefault(imageName) ?? new ImageConfig();
        var mounts = PodVolumes.MountsOf(container, volumes, name => IsEmptyDir(pod, name) ? runtime.EmptyDir(name) : null);
        var environment = ContainerEnvironment.Resolve(start, container, image);
        ContainerProcess? process = null;
        if (programs.ProgramFor(imageName) is { } program)
        {
            process = programs.Start(program, start, container, environment);
            process.Changed = () => ProcessChanged(runtime);
        }

        var readOnlyRoot = container["securityContext"]?["readOnlyRootFilesystem"] is JsonValue v && v.TryGetValue<bool>(out var ro) && ro;
        var workingDir = JsonFields.Text(container, "workingDir") is { Length: > 0 } dir ? dir : image.WorkingDir ?? "/";
        var user = RunAsUser(container) ?? RunAsUser(pod["spec"] as JsonObject) ?? image.User;
        return new RunningContainer(
            start.Namespace, start.PodName, start.PodUid, JsonFields.Text(container, "name") ?? "", imageName, environment,
            new ContainerFiles(mounts, new VolumeDirectory(writable: !readOnlyRoot), workingDir), start.ServiceAccount, user, store.Now)
        {
            Process = process,
            Log = process?.Log ?? new ContainerLog(),
        };
    }

    /// <summary>A program's readiness changed or it exited: the kubelet's status manager writes the pod's status again.</summary>
    private void ProcessChanged(PodRuntime runtime)
    {
        lock (runtime.Gate)
        {
            if (runtimes.ContainsKey(runtime.Uid) && CurrentPod(runtime.Namespace, runtime.Name, runtime.Uid) is { } pod)
            {
                WriteStatus(runtime, pod);
            }
        }
    }

    private static string? RunAsUser(JsonObject? owner) =>
        owner?["securityContext"]?["runAsUser"] is JsonValue v && v.TryGetValue<long>(out var uid) ? uid.ToString(CultureInfo.InvariantCulture) : null;

    private static bool IsEmptyDir(JsonObject pod, string volume) =>
        (pod["spec"]?["volumes"] as JsonArray ?? []).OfType<JsonObject>().Any(v => JsonFields.Text(v, "name") == volume && v["emptyDir"] is not null);

    /// <summary>
    /// The variables of the API server's service, which the kubelet gives every container even without
    /// service links (kubelet getServiceEnvVarMap: the "kubernetes" service of "default"; the variables
    /// as pkg/kubelet/envvars FromServices names them). They point at the fake, over plain HTTP.
    /// </summary>
    private Dictionary<string, string> ServiceEnvironment()
    {
        var address = apiAddress();
        var (host, port) = (address.Host, address.Port.ToString(CultureInfo.InvariantCulture));
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["KUBERNETES_SERVICE_HOST"] = host,
            ["KUBERNETES_SERVICE_PORT"] = port,
            ["KUBERNETES_SERVICE_PORT_HTTPS"] = port,
            ["KUBERNETES_PORT"] = $"tcp://{host}:{port}",
            [$"KUBERNETES_PORT_{port}_TCP"] = $"tcp://{host}:{port}",
            [$"KUBERNETES_PORT_{port}_TCP_PROTO"] = "tcp",
            [$"KUBERNETES_PORT_{port}_TCP_PORT"] = port,
            [$"KUBERNETES_PORT_{port}_TCP_ADDR"] = host,
        };
    }

    /// <summary>A pod IP from k3s' default cluster CIDR, 10.42.0.0/16, never given twice.</summary>
    private string NextPodIP()
    {
        var n = Interlocked.Increment(ref addresses);
        return new IPAddress([10, 42, (byte)(n / 250 % 256), (byte)(n % 250 + 2)]).ToString();
    }

    /// <summary>The pod's status as the kubelet writes it (pkg/kubelet/status and kubelet_pods.go generateAPIPodStatus).</summary>
    private void WriteStatus(PodRuntime runtime, JsonObject pod)
    {
        var now = KubeTime.Format(store.Now);
        var previous = pod["status"] as JsonObject;
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var unready = containers.Select(c => JsonFields.Text(c, "name") ?? "").Where(n => !IsContainerReady(runtime, n)).ToList();
        var started = containers.All(c => runtime.Running.ContainsKey(JsonFields.Text(c, "name") ?? ""));
        var ready = unready.Count == 0;
        var sandbox = runtime.MountFailure is null;
        JsonObject Condition(string type, bool status, string? reason = null, string? message = null)
        {
            var text = status ? "True" : "False";
            var before = (previous?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => JsonFields.Text(c, "type") == type);
            var condition = new JsonObject
            {
                ["type"] = type,
                ["status"] = text,
                ["lastProbeTime"] = null,
                ["lastTransitionTime"] = before is not null && JsonFields.Text(before, "status") == text ? before["lastTransitionTime"]?.DeepClone() : now,
            };
            if (reason is not null)
            {
                condition["reason"] = reason;
                condition["message"] = message;
            }

            return condition;
        }

        var notReadyMessage = $"containers with unready status: [{string.Join(' ', unready)}]";
        var status = new JsonObject
        {
            ["phase"] = started ? "Running" : "Pending",
            ["conditions"] = new JsonArray(
                Condition("PodReadyToStartContainers", sandbox),
                Condition("Initialized", true),
                ready ? Condition("Ready", true) : Condition("Ready", false, "ContainersNotReady", notReadyMessage),
                ready ? Condition("ContainersReady", true) : Condition("ContainersReady", false, "ContainersNotReady", notReadyMessage),
                Condition("PodScheduled", true)),
            ["hostIP"] = HostIP,
            ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = HostIP }),
            ["podIP"] = sandbox ? runtime.PodIP : null,
            ["podIPs"] = sandbox ? new JsonArray(new JsonObject { ["ip"] = runtime.PodIP }) : null,
            ["startTime"] = previous?["startTime"]?.DeepClone() ?? now,
            ["containerStatuses"] = new JsonArray([.. containers.Select(c => ContainerStatus(runtime, c))]),
        };
        TryWrite(() => writer.Patch(PodKind, runtime.Namespace, runtime.Name, PatchKind.Merge, new JsonObject { ["status"] = status },
            FieldScope.Status, Manager, force: false, dryRun: false));
    }

    private static JsonObject ContainerStatus(PodRuntime runtime, JsonObject container)
    {
        var name = JsonFields.Text(container, "name") ?? "";
        var image = JsonFields.Text(container, "image") ?? "";
        var status = new JsonObject { ["name"] = name, ["image"] = image };
        if (runtime.Running.TryGetValue(name, out var running))
        {
            status["imageID"] = $"sha256:{Hex(image)}";
            status["containerID"] = $"containerd://{Hex(runtime.Uid + "/" + name)}";
            status["ready"] = IsContainerReady(runtime, name);
            status["started"] = running.Process is not { HasExited: true };
            status["restartCount"] = 0;
            status["state"] = running.Process is { HasExited: true, ExitCode: { } code, FinishedAt: { } finished }
                ? new JsonObject
                {
                    // No restart here (stricter than restartPolicy Always): the container stays terminated.
                    ["terminated"] = new JsonObject
                    {
                        ["exitCode"] = code,
                        ["reason"] = code == 0 ? "Completed" : "Error",
                        ["startedAt"] = KubeTime.Format(running.StartedAt),
                        ["finishedAt"] = KubeTime.Format(finished),
                    },
                }
                : new JsonObject { ["running"] = new JsonObject { ["startedAt"] = KubeTime.Format(running.StartedAt) } };
            return status;
        }

        var waiting = new JsonObject { ["reason"] = ContainerStartFailure.ContainerCreating };
        if (runtime.Waiting.TryGetValue(name, out var failure) && failure.Reason is ContainerStartFailure.CreateContainerConfigError or ContainerStartFailure.RunContainerError)
        {
            waiting["reason"] = failure.Reason;
            waiting["message"] = failure.Message;
        }

        status["imageID"] = "";
        status["ready"] = false;
        status["started"] = false;
        status["restartCount"] = 0;
        status["state"] = new JsonObject { ["waiting"] = waiting };
        return status;
    }

    /// <summary>Running, and for a program, its readiness probe passed (prober results; a container without a probe is ready once running).</summary>
    private static bool IsContainerReady(PodRuntime runtime, string name) =>
        runtime.Running.TryGetValue(name, out var running) && running.Process is not { Ready: false };

    /// <summary>Stops every program the runtime started, as the fake stops.</summary>
    public ValueTask DisposeAsync() => programs.DisposeAsync();

    /// <summary>
    /// The event the kubelet records for a failure, once per new message: FailedMount for a volume
    /// (with the volume's error), Failed with "Error: ..." for a container
    /// (kuberuntime_container.go startContainer: recordContainerEvent(..., events.FailedToCreateContainer, "Error: %v", ...)).
    /// </summary>
    private void Record(PodRuntime runtime, JsonObject pod, string? container, ContainerStartFailure failure, ContainerStartFailure? before)
    {
        if (before?.Message == failure.Message)
        {
            return;
        }

        var now = KubeTime.Format(store.Now);
        var involved = new JsonObject
        {
            ["kind"] = "Pod",
            ["namespace"] = runtime.Namespace,
            ["name"] = runtime.Name,
            ["uid"] = runtime.Uid,
            ["apiVersion"] = "v1",
            ["resourceVersion"] = JsonFields.Text(pod, "metadata", "resourceVersion"),
        };
        if (container is not null)
        {
            involved["fieldPath"] = $"spec.containers{{{container}}}";
        }

        var item = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = $"{runtime.Name}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}", ["namespace"] = runtime.Namespace },
            ["involvedObject"] = involved,
            ["reason"] = container is null ? "FailedMount" : "Failed",
            ["message"] = container is null ? failure.Message : $"Error: {failure.Message}",
            ["source"] = new JsonObject { ["component"] = Manager, ["host"] = NodeName },
            ["firstTimestamp"] = now,
            ["lastTimestamp"] = now,
            ["count"] = 1,
            ["type"] = "Warning",
            ["reportingComponent"] = Manager,
            ["reportingInstance"] = NodeName,
        };
        TryWrite(() => writer.Create(kinds.Find(ResourceType.Events)!, runtime.Namespace, item, Manager, dryRun: false));
    }

    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Runs a write; false if its object (or namespace) is gone meanwhile.</summary>
    private static bool TryWrite(Func<WriteResult> write)
    {
        try
        {
            write();
            return true;
        }
        catch (ApiStatusException e) when (e.Code == HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
