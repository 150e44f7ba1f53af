using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;
using static KafkaDemo.TestSupport.Tests.Kubernetes.KubectlTool;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>
/// kubectl against the fake, through the kubeconfig it writes: kubectl's discovery, OpenAPI use,
/// apply, wait (a watch), patch, get and exec (WebSocket, v5) are a strong check that the fake
/// behaves like a real server.
/// </summary>
public sealed class KubectlTests
{
    private const string Definition = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: kafkas.kafka.strimzi.io
        spec:
          group: kafka.strimzi.io
          names: {kind: Kafka, listKind: KafkaList, plural: kafkas, singular: kafka, shortNames: [k]}
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """;

    private const string Kafka = """
        apiVersion: kafka.strimzi.io/v1
        kind: Kafka
        metadata:
          name: demo
          namespace: default
        spec:
          kafka:
            replicas: 3
            listeners:
            - {name: plain, port: 9092, type: internal, tls: false}
        """;

    [Fact]
    public async Task Kubectl_applies_server_side_waits_patches_and_meets_a_conflict()
    {
        var kubectl = Find();
        await using var cluster = await StartAsync();
        var files = Path.GetDirectoryName(cluster.KubeconfigPath)!;
        await File.WriteAllTextAsync(Path.Combine(files, "crd.yaml"), Definition, Token);
        await File.WriteAllTextAsync(Path.Combine(files, "kafka.yaml"), Kafka, Token);

        Assert.Contains("serverside-applied", await RunAsync(kubectl, cluster, "apply", "--server-side", "-f", Path.Combine(files, "crd.yaml")), StringComparison.Ordinal);
        Assert.Contains("condition met", await RunAsync(kubectl, cluster, "wait", "--for=condition=Established", "--timeout=30s", "crd/kafkas.kafka.strimzi.io"), StringComparison.Ordinal);
        Assert.Contains("kafka.kafka.strimzi.io/demo serverside-applied", await RunAsync(kubectl, cluster, "apply", "--server-side", "-f", Path.Combine(files, "kafka.yaml")), StringComparison.Ordinal);
        Assert.Equal("demo", await RunAsync(kubectl, cluster, "get", "k", "-o", "jsonpath={.items[*].metadata.name}"));
        Assert.Equal("kubectl", Assert.Single(cluster.Api.AppliedObjects, a => a.Resource == ScriptedControllers.Kafkas).FieldManager);

        Assert.Contains("patched", await RunAsync(kubectl, cluster, "patch", "kafka", "demo", "--type", "merge", "-p", """{"spec":{"kafka":{"replicas":5}}}"""), StringComparison.Ordinal);
        Assert.Equal(5, cluster.Api.Get(ScriptedControllers.Kafkas, "default", "demo")!["spec"]!["kafka"]!["replicas"]!.GetValue<int>());

        var (exitCode, _, error) = await ExternalTool.RunAsync(kubectl, Arguments(cluster, "apply", "--server-side", "-f", Path.Combine(files, "kafka.yaml")));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Apply failed with 1 conflict: conflict with \"kubectl-patch\" using kafka.strimzi.io/v1: .spec.kafka.replicas", error, StringComparison.Ordinal);

        await RunAsync(kubectl, cluster, "apply", "--server-side", "--force-conflicts", "-f", Path.Combine(files, "kafka.yaml"));
        Assert.Equal("3", await RunAsync(kubectl, cluster, "get", "kafka", "demo", "-o", "jsonpath={.spec.kafka.replicas}"));
        Assert.Equal("3", await RunAsync(kubectl, cluster, "get", "kafka", "demo", "-o", "jsonpath={.metadata.generation}"));
    }

    [Fact]
    public async Task Kubectl_get_prints_a_table_and_delete_removes()
    {
        var kubectl = Find();
        await using var cluster = await StartAsync();
        var manifest = Path.Combine(Path.GetDirectoryName(cluster.KubeconfigPath)!, "objects.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: v1
            kind: Namespace
            metadata: {name: kafka}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: kafka}
            data: {a: "1"}
            """, Token);

        // kubectl create -f sends JSON; its typed generators (create namespace NAME) send protobuf, which the fake refuses with 415.
        Assert.Contains("configmap/settings created", await RunAsync(kubectl, cluster, "create", "-f", manifest), StringComparison.Ordinal);
        var (exitCode, _, error) = await ExternalTool.RunAsync(kubectl, Arguments(cluster, "create", "namespace", "typed"));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("application/vnd.kubernetes.protobuf", error, StringComparison.Ordinal);

        var table = await RunAsync(kubectl, cluster, "get", "configmaps", "-n", "kafka");
        var lines = table.Split('\n');
        Assert.StartsWith("NAME", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("settings", lines[1], StringComparison.Ordinal);
        Assert.Equal("1", await RunAsync(kubectl, cluster, "get", "configmap", "settings", "-n", "kafka", "-o", "jsonpath={.data.a}"));

        Assert.Contains("deleted", await RunAsync(kubectl, cluster, "delete", "namespace", "kafka"), StringComparison.Ordinal);
        Assert.Null(cluster.Api.Get(ResourceType.ConfigMaps, "kafka", "settings"));
    }

    [Fact]
    public async Task Kubectl_exec_passes_arguments_stdin_and_the_exit_code()
    {
        var kubectl = Find();
        await using var cluster = await StartAsync();
        cluster.Api.Put(FakeCluster.Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"broker-0","namespace":"default"},
             "spec":{"containers":[{"name":"kafka","image":"quay.io/strimzi/kafka"}]},"status":{"phase":"Running"}}
            """));
        cluster.Api.OnExec(async exec =>
        {
            await exec.Stdout.WriteLineAsync(string.Join('|', exec.Command));
            if (exec.Invocation.Stdin)
            {
                await exec.Stdout.WriteAsync(await new StreamReader(exec.Stdin).ReadToEndAsync(exec.CancellationToken));
            }

            await exec.Stderr.WriteLineAsync("to stderr");
            return exec.Command[0] == "fail" ? 4 : 0;
        });

        var (exitCode, output, error) = await ExternalTool.RunAsync(kubectl, Arguments(cluster, "exec", "broker-0", "--", "sh", "-c", "echo \"a b\" $(id)\nnext", "", "'q'"));
        Assert.Equal(0, exitCode);
        Assert.Equal("sh|-c|echo \"a b\" $(id)\nnext||'q'\n", output);
        Assert.Equal("to stderr\n", error);

        var withInput = await ExternalTool.RunAsync(kubectl, Arguments(cluster, "exec", "-i", "broker-0", "--", "cat"), input: "line 1\nline 2\n");
        Assert.Equal((0, "cat\nline 1\nline 2\n"), (withInput.ExitCode, withInput.Output));

        var failed = await ExternalTool.RunAsync(kubectl, Arguments(cluster, "exec", "broker-0", "--", "fail"));
        Assert.Equal(4, failed.ExitCode);
        Assert.Contains("command terminated with exit code 4", failed.Error, StringComparison.Ordinal);
        Assert.All(cluster.Api.Execs, e => Assert.Equal("v5.channel.k8s.io", e.Protocol));
        Assert.Equal("kafka", cluster.Api.Execs[0].Container);
    }

    [Fact]
    public async Task Kubectl_rolls_out_a_deployment_and_execs_into_its_pod_or_reports_why_it_cannot()
    {
        var kubectl = Find();
        await using var cluster = await Workloads.StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods(TimeSpan.FromMilliseconds(200));
        cluster.Api.OnExec(async exec =>
        {
            await exec.Stdout.WriteLineAsync($"{exec.Pod} KEY={exec.Environment.GetValueOrDefault("KEY")}");
            return 0;
        });
        var manifest = Path.Combine(Path.GetDirectoryName(cluster.KubeconfigPath)!, "agent.yaml");
        static string Deployment(string name, string container, string key) => $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: {{{name}}}, namespace: {{{Workloads.Namespace}}}}
            spec:
              selector: {matchLabels: {app: {{{name}}}}}
              template:
                metadata: {labels: {app: {{{name}}}}}
                spec:
                  containers:
                  - name: {{{container}}}
                    image: example/app:1
                    env:
                    - name: KEY
                      valueFrom:
                        secretKeyRef: {name: keys, key: {{{key}}}}
            """;
        await File.WriteAllTextAsync(manifest, $$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: keys, namespace: {{Workloads.Namespace}}}
            stringData: {api-key: sk-from-kubectl}
            ---
            {{Deployment("good", "app", "api-key")}}
            ---
            {{Deployment("broken", "vibectl", "absent")}}
            """, Token);

        await RunAsync(kubectl, cluster, "apply", "--server-side", "-f", manifest);
        Assert.Contains("successfully rolled out", await RunAsync(kubectl, cluster, "rollout", "status", "-n", Workloads.Namespace, "deployment/good", "--timeout=30s"), StringComparison.Ordinal);
        Assert.Matches("^good-[a-z0-9]+-[a-z0-9]{5} KEY=sk-from-kubectl$", await RunAsync(kubectl, cluster, "exec", "-n", Workloads.Namespace, "deploy/good", "--", "env"));

        var pod = await Workloads.SinglePodAsync(cluster, "broken", ready: false);
        Assert.Equal("CreateContainerConfigError", await RunAsync(kubectl, cluster, "get", "pod", "-n", Workloads.Namespace, pod.Metadata.Name, "-o", "jsonpath={.status.containerStatuses[0].state.waiting.reason}"));
        var (exitCode, _, error) = await ExternalTool.RunAsync(kubectl, Arguments(cluster, "exec", "-n", Workloads.Namespace, pod.Metadata.Name, "--", "vibectl", "memory", "show"));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("unable to upgrade connection: container not found (\"vibectl\")", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_applies_the_real_Strimzi_operator_install_and_every_definition_becomes_established()
    {
        var kubectl = Find();
        var install = StrimziInstall();
        await using var cluster = await StartAsync();

        // The files name no namespace: the namespaced ones land in the kubeconfig's, "default".
        var applied = await RunAsync(kubectl, cluster, "apply", "--server-side", "-f", install);
        var version = cluster.Api.ResourceVersion;
        await RunAsync(kubectl, cluster, "apply", "--server-side", "-f", install);

        Assert.Contains("deployment.apps/strimzi-cluster-operator serverside-applied", applied, StringComparison.Ordinal);
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/kafkas.kafka.strimzi.io serverside-applied", applied, StringComparison.Ordinal);
        Assert.Equal(version, cluster.Api.ResourceVersion);
        await RunAsync(kubectl, cluster, "wait", "--for=condition=Established", "--timeout=30s", "crd", "--all");
        Assert.Contains(cluster.Api.ServedResources, k => k.Type == new ResourceType("kafka.strimzi.io", "v1", "kafkanodepools") && k.HasStatus);
        Assert.Equal("strimzi-cluster-operator", await RunAsync(kubectl, cluster, "get", "deployment", "-o", "jsonpath={.items[*].metadata.name}"));
        Assert.Equal(10, cluster.Api.List(ResourceType.CustomResourceDefinitions).Count);
    }

    /// <summary>Strimzi's operator install files, kept verbatim in the shared/ folder beside the repository.</summary>
    [Fact]
    public async Task Kubectl_as_a_service_account_discovers_freely_and_meets_rbac_on_resources()
    {
        var kubectl = Find();
        var (cluster, token) = await Rbac.StartAsync();
        await using var _ = cluster;
        cluster.Api.Put(FakeCluster.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"kafka-0","namespace":"kafka"},"spec":{"containers":[{"name":"kafka","image":"i"}]}}"""));
        Rbac.Grant(cluster.Api, "pod-reader", """[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list"]}]""");

        // system:discovery lets every authenticated user read /api, /apis and /openapi; the Role does the rest.
        Assert.StartsWith("kafka-0", (await RunAsync(kubectl, cluster, "--token", token, "get", "pods", "-n", "kafka")).Split('\n')[1], StringComparison.Ordinal);
        Assert.Contains(cluster.Api.Requests, r => r.User == Rbac.UserName && r.Path == "/api" && r.StatusCode == 200);

        var refused = await FailAsync(kubectl, cluster, "--token", token, "get", "configmaps", "-n", "kafka");
        Assert.Equal("Error from server (Forbidden): configmaps is forbidden: User \"system:serviceaccount:kafka:agent\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"kafka\"", refused);
        var notThere = await FailAsync(kubectl, cluster, "--token", token, "get", "pods", "-n", "default");
        Assert.EndsWith("cannot list resource \"pods\" in API group \"\" in the namespace \"default\"", notThere, StringComparison.Ordinal);
    }

    private static string StrimziInstall()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "KafkaDemo.slnx")))
        {
            directory = directory.Parent;
        }

        var install = directory is null ? null : Path.Combine(directory.FullName, "..", "shared", "k8s-reference", "strimzi", "1.2.0", "install-cluster-operator");
        Assert.SkipWhen(install is null || !Directory.Exists(install), "shared/k8s-reference (Strimzi's install files) is not beside the repository.");
        return install!;
    }
}
