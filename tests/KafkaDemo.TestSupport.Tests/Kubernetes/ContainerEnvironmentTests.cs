using System.Text;
using k8s;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;
using static KafkaDemo.TestSupport.Tests.Kubernetes.Workloads;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>
/// A container's environment as the kubelet and containerd build it at start, from the Deployment's
/// pod template and the objects as they are then; and what the kubelet reports when it cannot.
/// </summary>
public sealed class ContainerEnvironmentTests
{
    [Fact]
    public async Task The_environment_is_built_in_the_kubelets_order_and_an_exec_sees_it()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods();
        cluster.Api.RegisterImage("example/app:1", new ImageConfig { Env = ["PATH=/opt/app/bin:/usr/bin", "FROM_IMAGE=image", "SHARED=image", "EMPTY="] });
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["SHARED"] = "configmap", ["LEVEL"] = "info", ["1st"] = "digit" } },
            Namespace, cancellationToken: Token);
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "creds" }, Data = new Dictionary<string, byte[]> { ["TOKEN"] = "s3cret"u8.ToArray(), ["LEVEL"] = "secret"u8.ToArray() } },
            Namespace, cancellationToken: Token);
        var container = Container();
        container.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "settings" } }, new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "creds" }, Prefix = "APP_" }];
        container.Env =
        [
            new V1EnvVar { Name = "SHARED", Value = "env" },
            new V1EnvVar { Name = "GREETING", Value = "$(LEVEL)-$(APP_TOKEN)-$(LATER)-$$(LEVEL)-$(FROM_IMAGE)-$(KUBERNETES_SERVICE_HOST)-$(" },
            new V1EnvVar { Name = "LATER", Value = "late" },
            new V1EnvVar { Name = "UNSET" },
            Field("POD", "metadata.name"),
            Field("NS", "metadata.namespace"),
            Field("ACCOUNT", "spec.serviceAccountName"),
            Field("IP", "status.podIP"),
            Field("NODE", "spec.nodeName"),
            Field("APP_LABEL", "metadata.labels['app']"),
        ];
        await CreateAsync(cluster, Deployment("app", Spec(container)));
        var pod = await SinglePodAsync(cluster, "app");
        var apiAddress = cluster.Api.BaseAddress;
        var port = apiAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var expected = new Dictionary<string, string>
        {
            ["PATH"] = "/opt/app/bin:/usr/bin",
            ["HOSTNAME"] = pod.Metadata.Name,
            ["FROM_IMAGE"] = "image",
            ["EMPTY"] = "",
            ["SHARED"] = "env",
            ["LEVEL"] = "info",
            ["1st"] = "digit",
            ["APP_TOKEN"] = "s3cret",
            ["APP_LEVEL"] = "secret",
            ["GREETING"] = "info-s3cret-$(LATER)-$(LEVEL)-$(FROM_IMAGE)-127.0.0.1-$(",
            ["LATER"] = "late",
            ["UNSET"] = "",
            ["POD"] = pod.Metadata.Name,
            ["NS"] = Namespace,
            ["ACCOUNT"] = "default",
            ["IP"] = pod.Status.PodIP,
            ["NODE"] = pod.Spec.NodeName,
            ["APP_LABEL"] = "app",
            ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1",
            ["KUBERNETES_SERVICE_PORT"] = port,
            ["KUBERNETES_SERVICE_PORT_HTTPS"] = port,
            ["KUBERNETES_PORT"] = $"tcp://127.0.0.1:{port}",
            [$"KUBERNETES_PORT_{port}_TCP"] = $"tcp://127.0.0.1:{port}",
            [$"KUBERNETES_PORT_{port}_TCP_PROTO"] = "tcp",
            [$"KUBERNETES_PORT_{port}_TCP_PORT"] = port,
            [$"KUBERNETES_PORT_{port}_TCP_ADDR"] = "127.0.0.1",
        };
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), cluster.Api.FindRunningContainer(Namespace, pod.Metadata.Name)!.Environment.OrderBy(p => p.Key, StringComparer.Ordinal));

        cluster.Api.OnExec(async exec =>
        {
            foreach (var (name, value) in exec.Environment.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                await exec.Stdout.WriteLineAsync($"{name}={value}");
            }

            return 0;
        });
        var output = await ExecAsync(cluster, pod.Metadata.Name, "env");
        Assert.Equal(string.Concat(expected.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}\n")), output);
    }

    [Fact]
    public async Task Missing_optional_sources_leave_their_variables_out()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["model"] = "claude-sonnet-4.6" } }, Namespace, cancellationToken: Token);
        var container = Container();
        container.EnvFrom = [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "absent", Optional = true } }];
        container.Env =
        [
            new V1EnvVar { Name = "KEY", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "vibectl-llm", Key = "api-key", Optional = true } } },
            new V1EnvVar { Name = "MISSING_KEY", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "absent", Optional = true } } },
            new V1EnvVar { Name = "MODEL", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "model", Optional = false } } },
        ];
        await CreateAsync(cluster, Deployment("app", Spec(container)));

        var pod = await SinglePodAsync(cluster, "app");
        var environment = cluster.Api.FindRunningContainer(Namespace, pod.Metadata.Name, "app")!.Environment;
        Assert.Equal("claude-sonnet-4.6", environment["MODEL"]);
        Assert.False(environment.ContainsKey("KEY"));
        Assert.False(environment.ContainsKey("MISSING_KEY"));
        Assert.DoesNotContain(environment.Keys, k => k.StartsWith("api", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> Unresolvable => new()
    {
        { "secret", "secret \"vibectl-llm\" not found" },
        { "secret key", $"couldn't find key api-key in Secret {Namespace}/vibectl-llm" },
        { "configmap", "configmap \"settings\" not found" },
        { "configmap key", $"couldn't find key model in ConfigMap {Namespace}/settings" },
    };

    [Theory]
    [MemberData(nameof(Unresolvable))]
    public async Task A_source_that_cannot_be_resolved_keeps_the_container_waiting_with_the_kubelets_message_until_it_can(string missing, string message)
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods();
        if (missing == "secret key")
        {
            await PutSecretAsync(cluster, new Dictionary<string, string> { ["other"] = "x" });
        }

        if (missing == "configmap key")
        {
            await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" } }, Namespace, cancellationToken: Token);
        }

        var container = Container("vibectl");
        container.Env = missing.StartsWith("secret", StringComparison.Ordinal)
            ? [new V1EnvVar { Name = "ANTHROPIC_API_KEY", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "vibectl-llm", Key = "api-key" } } }]
            : missing == "configmap"
                ? null
                : [new V1EnvVar { Name = "MODEL", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "model" } } }];
        container.EnvFrom = missing == "configmap" ? [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "settings" } }] : null;
        await CreateAsync(cluster, Deployment("agent", Spec(container)));

        var pod = await SinglePodAsync(cluster, "agent", ready: false);
        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Equal("False", Assert.Single(pod.Status.Conditions, c => c.Type == "Ready").Status);
        Assert.Equal("containers with unready status: [vibectl]", Assert.Single(pod.Status.Conditions, c => c.Type == "ContainersReady").Message);
        var state = Assert.Single(pod.Status.ContainerStatuses);
        Assert.Equal(("CreateContainerConfigError", message), (state.State.Waiting.Reason, state.State.Waiting.Message));
        Assert.False(state.Ready);
        Assert.NotNull(pod.Status.PodIP);
        Assert.Null(cluster.Api.FindRunningContainer(Namespace, pod.Metadata.Name));
        var events = await cluster.Client.CoreV1.ListNamespacedEventAsync(Namespace, cancellationToken: Token);
        var failed = Assert.Single(events.Items, e => e.Reason == "Failed");
        Assert.Equal(($"Error: {message}", "Warning", pod.Metadata.Name, "spec.containers{vibectl}"), (failed.Message, failed.Type, failed.InvolvedObject.Name, failed.InvolvedObject.FieldPath));
        var deployment = await DeploymentAsync(cluster, "agent", d => d.Status.UnavailableReplicas == 1, "The deployment did not report its unavailable pod.");
        Assert.Equal("False", Assert.Single(deployment.Status.Conditions, c => c.Type == "Available").Status);

        // The kubelet tries again; once the source is there, the same pod starts.
        if (missing.StartsWith("secret", StringComparison.Ordinal))
        {
            await PutSecretAsync(cluster, new Dictionary<string, string> { ["api-key"] = "sk-ant-test" });
        }
        else
        {
            var settings = new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["model"] = "claude-sonnet-4.6" } };
            await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(settings, V1Patch.PatchType.ApplyPatch), "settings", Namespace, fieldManager: "test", force: true, cancellationToken: Token);
        }

        var started = await SinglePodAsync(cluster, "agent");
        Assert.Equal(pod.Metadata.Uid, started.Metadata.Uid);
        var environment = cluster.Api.FindRunningContainer(Namespace, started.Metadata.Name)!.Environment;
        var (variable, value) = missing switch
        {
            "configmap" => ("model", "claude-sonnet-4.6"),
            "configmap key" => ("MODEL", "claude-sonnet-4.6"),
            _ => ("ANTHROPIC_API_KEY", "sk-ant-test"),
        };
        Assert.Equal(value, environment[variable]);
    }

    [Fact]
    public async Task A_running_container_keeps_the_environment_it_started_with_and_a_new_pod_gets_the_new_one()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods();
        await PutSecretAsync(cluster, new Dictionary<string, string> { ["api-key"] = "first" });
        var container = Container("vibectl");
        container.Env = [new V1EnvVar { Name = "ANTHROPIC_API_KEY", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "vibectl-llm", Key = "api-key" } } }];
        await CreateAsync(cluster, Deployment("agent", Spec(container)));
        var pod = await SinglePodAsync(cluster, "agent");
        var stored = await cluster.Client.CoreV1.ReadNamespacedSecretAsync("vibectl-llm", Namespace, cancellationToken: Token);
        Assert.Null(stored.StringData);
        Assert.Equal("first", Encoding.UTF8.GetString(stored.Data["api-key"]));

        await PutSecretAsync(cluster, new Dictionary<string, string> { ["api-key"] = "second" });
        Assert.Equal("first", cluster.Api.FindRunningContainer(Namespace, pod.Metadata.Name)!.Environment["ANTHROPIC_API_KEY"]);

        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Namespace, cancellationToken: Token);
        var replacement = await PodsAsync(cluster, "agent", p => p.Count == 1 && p[0].Metadata.Uid != pod.Metadata.Uid && IsReady(p[0]), "The pod was not replaced.");
        Assert.Equal("second", cluster.Api.FindRunningContainer(Namespace, replacement[0].Metadata.Name)!.Environment["ANTHROPIC_API_KEY"]);
    }

    /// <summary>The Secret as the AppHost applies it: server-side, with <c>stringData</c>.</summary>
    private static Task<V1Secret> PutSecretAsync(FakeCluster cluster, Dictionary<string, string> values) =>
        cluster.Client.CoreV1.PatchNamespacedSecretAsync(
            new V1Patch(new V1Secret { ApiVersion = "v1", Kind = "Secret", Metadata = new V1ObjectMeta { Name = "vibectl-llm", NamespaceProperty = Namespace }, StringData = values }, V1Patch.PatchType.ApplyPatch),
            "vibectl-llm", Namespace, fieldManager: "kafkademo-apphost", force: true, cancellationToken: Token);

    private static V1EnvVar Field(string name, string path) => new() { Name = name, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = path } } };

    /// <summary>Runs a command through KubernetesClient's exec (stdin off) and returns its stdout.</summary>
    internal static async Task<string> ExecAsync(FakeCluster cluster, string pod, params string[] command)
    {
        using var socket = await cluster.Client.WebSocketNamespacedPodExecAsync(pod, Namespace, command, "", stdin: false, tty: false, cancellationToken: Token);
        using var demuxer = new StreamDemuxer(socket);
        using var stdout = new StreamReader(demuxer.GetStream(ChannelIndex.StdOut, null));
        using var status = new StreamReader(demuxer.GetStream(ChannelIndex.Error, null));
        demuxer.Start();
        var output = await stdout.ReadToEndAsync(Token).WaitAsync(Deadline, Token);
        Assert.Equal("Success", Parse(await status.ReadToEndAsync(Token).WaitAsync(Deadline, Token))["status"]!.GetValue<string>());
        return output;
    }
}
