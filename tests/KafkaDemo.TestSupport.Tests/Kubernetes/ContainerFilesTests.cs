using System.Text;
using k8s;
using k8s.Models;
using KafkaDemo.TestSupport.Kubernetes;
using static KafkaDemo.TestSupport.Tests.Kubernetes.FakeCluster;
using static KafkaDemo.TestSupport.Tests.Kubernetes.Workloads;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>A container's files: mounted ConfigMaps and Secrets, the service account token, emptyDir volumes and the root file system.</summary>
public sealed class ContainerFilesTests
{
    private const string TokenDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    [Fact]
    public async Task Configmaps_and_secrets_become_read_only_files_and_the_token_authenticates_as_the_service_account()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "kubeconfig" }, Data = new Dictionary<string, string> { ["config"] = "apiVersion: v1\n", ["unused"] = "x" } },
            Namespace, cancellationToken: Token);
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "keys" }, Data = new Dictionary<string, byte[]> { ["api-key"] = "sk-test"u8.ToArray(), ["other"] = "o"u8.ToArray() } },
            Namespace, cancellationToken: Token);
        await cluster.Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "vibectl" } }, Namespace, cancellationToken: Token);
        var container = Container();
        container.VolumeMounts =
        [
            new V1VolumeMount { Name = "kubeconfig", MountPath = "/etc/kafkademo/kube", ReadOnlyProperty = true },
            new V1VolumeMount { Name = "keys", MountPath = "/etc/keys" },
        ];
        var spec = Spec(container);
        spec.ServiceAccountName = "vibectl";
        spec.Volumes =
        [
            new V1Volume { Name = "kubeconfig", ConfigMap = new V1ConfigMapVolumeSource { Name = "kubeconfig", Items = [new V1KeyToPath { Key = "config", Path = "sub/config.yaml" }] } },
            new V1Volume { Name = "keys", Secret = new V1SecretVolumeSource { SecretName = "keys" } },
        ];
        await CreateAsync(cluster, Deployment("app", spec));
        var pod = await SinglePodAsync(cluster, "app");
        var files = cluster.Api.FindRunningContainer(Namespace, pod.Metadata.Name)!.Files;

        Assert.Equal("apiVersion: v1\n", files.ReadAllText("/etc/kafkademo/kube/sub/config.yaml"));
        Assert.False(files.FileExists("/etc/kafkademo/kube/unused"));
        Assert.Equal(["/etc/keys/api-key", "/etc/keys/other"], files.FilesUnder("/etc/keys"));
        Assert.Equal("sk-test", files.ReadAllText("/etc/keys/api-key"));
        var refused = Assert.Throws<ContainerFileException>(() => files.WriteAllText("/etc/keys/api-key", "changed"));
        Assert.Equal((30, "Read-only file system: '/etc/keys/api-key'"), (refused.Errno, refused.Message));
        Assert.Equal(ContainerFileException.NoSuchFile, Assert.Throws<ContainerFileException>(() => files.ReadAllText("/etc/keys/absent")).Errno);

        // Service account admission mounted the projected token volume.
        var volume = Assert.Single(pod.Spec.Volumes, v => v.Name.StartsWith("kube-api-access-", StringComparison.Ordinal));
        Assert.Contains(pod.Spec.Containers[0].VolumeMounts, m => m.Name == volume.Name && m.MountPath == TokenDirectory && m.ReadOnlyProperty == true);
        Assert.Equal(Namespace, files.ReadAllText($"{TokenDirectory}/namespace"));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", files.ReadAllText($"{TokenDirectory}/ca.crt"), StringComparison.Ordinal);
        Assert.Equal([$"{TokenDirectory}/ca.crt", $"{TokenDirectory}/namespace", $"{TokenDirectory}/token"], files.FilesUnder(TokenDirectory));
        var token = files.ReadAllText($"{TokenDirectory}/token");
        using (var asPod = cluster.ClientFor(token))
        {
            // Nothing grants the account pods, so the answer is a 403 that names it.
            var forbidden = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => asPod.CoreV1.ListNamespacedPodAsync(Namespace, cancellationToken: Token));
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, forbidden.Response.StatusCode);
        }

        var request = cluster.Api.Requests.Last(r => r.Path == $"/api/v1/namespaces/{Namespace}/pods");
        Assert.Equal($"system:serviceaccount:{Namespace}:vibectl", request.User);

        // A bound token dies with its pod.
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Namespace, cancellationToken: Token);
        using (var asGone = cluster.ClientFor(token))
        {
            var unauthorized = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => asGone.CoreV1.ListNamespacedConfigMapAsync(Namespace, cancellationToken: Token));
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, unauthorized.Response.StatusCode);
        }

        Assert.Null(cluster.Api.Requests.Last(r => r.Path == $"/api/v1/namespaces/{Namespace}/configmaps").Identity);
    }

    [Theory]
    [InlineData(false, null, false)]
    [InlineData(null, false, false)]
    [InlineData(true, false, true)]
    [InlineData(null, null, true)]
    public async Task The_token_is_mounted_unless_the_pod_or_else_its_service_account_says_not_to(bool? pod, bool? account, bool mounted)
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods();
        await cluster.Client.CoreV1.CreateNamespacedServiceAccountAsync(
            new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "runner" }, AutomountServiceAccountToken = account }, Namespace, cancellationToken: Token);
        var spec = Spec(Container());
        spec.ServiceAccountName = "runner";
        spec.AutomountServiceAccountToken = pod;
        await CreateAsync(cluster, Deployment("app", spec));

        var started = await SinglePodAsync(cluster, "app");
        var files = cluster.Api.FindRunningContainer(Namespace, started.Metadata.Name)!.Files;
        Assert.Equal(mounted, files.FileExists($"{TokenDirectory}/token"));
        Assert.Equal(mounted, started.Spec.Volumes?.Any(v => v.Name.StartsWith("kube-api-access-", StringComparison.Ordinal)) == true);
    }

    [Fact]
    public async Task EmptyDir_files_and_handler_state_last_across_execs_and_a_new_pod_starts_clean()
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods();
        var container = Container();
        container.VolumeMounts = [new V1VolumeMount { Name = "config", MountPath = "/home/app/.config" }];
        var spec = Spec(container);
        spec.Volumes = [new V1Volume { Name = "config", EmptyDir = new V1EmptyDirVolumeSource() }];
        await CreateAsync(cluster, Deployment("app", spec));
        var pod = await SinglePodAsync(cluster, "app");
        cluster.Api.OnExec(async exec =>
        {
            var counter = exec.GetOrAddPodState(() => new Counter());
            counter.Value++;
            var path = "/home/app/.config/memory.txt";
            if (exec.Command[0] == "write")
            {
                exec.Files.WriteAllText(path, exec.Command[1]);
            }

            await exec.Stdout.WriteAsync($"{counter.Value}:{(exec.Files.FileExists(path) ? exec.Files.ReadAllText(path) : "none")}");
            return 0;
        });

        Assert.Equal("1:none", await ContainerEnvironmentTests.ExecAsync(cluster, pod.Metadata.Name, "read"));
        Assert.Equal("2:remembered", await ContainerEnvironmentTests.ExecAsync(cluster, pod.Metadata.Name, "write", "remembered"));
        Assert.Equal("3:remembered", await ContainerEnvironmentTests.ExecAsync(cluster, pod.Metadata.Name, "read"));

        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Namespace, cancellationToken: Token);
        var replacement = await PodsAsync(cluster, "app", p => p.Count == 1 && p[0].Metadata.Uid != pod.Metadata.Uid && IsReady(p[0]), "The pod was not replaced.");
        Assert.Equal("1:none", await ContainerEnvironmentTests.ExecAsync(cluster, replacement[0].Metadata.Name, "read"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_read_only_root_file_system_refuses_writes_outside_writable_volumes(bool readOnlyRoot)
    {
        await using var cluster = await StartWithNamespaceAsync();
        using var controller = cluster.Api.DeploymentsRunPods();
        cluster.Api.RegisterImage("example/app:1", new ImageConfig { WorkingDir = "/home/app", User = "10001" });
        var container = Container();
        container.SecurityContext = new V1SecurityContext { ReadOnlyRootFilesystem = readOnlyRoot };
        container.VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }, new V1VolumeMount { Name = "tmp", MountPath = "/cache", ReadOnlyProperty = true }];
        var spec = Spec(container);
        spec.Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }];
        await CreateAsync(cluster, Deployment("app", spec));
        var pod = await SinglePodAsync(cluster, "app");
        var running = cluster.Api.FindRunningContainer(Namespace, pod.Metadata.Name)!;
        var files = running.Files;

        Assert.Equal(("/home/app", "10001"), (files.WorkingDirectory, running.User));
        files.WriteAllText("/tmp/vibectl.lock", "1");
        Assert.Equal("1", files.ReadAllText("/cache/vibectl.lock"));
        Assert.Equal(30, Assert.Throws<ContainerFileException>(() => files.WriteAllText("/cache/other", "x")).Errno);
        Assert.True(files.DirectoryExists("/tmp"));
        Assert.Equal(ContainerFileException.IsADirectory, Assert.Throws<ContainerFileException>(() => files.WriteAllText("/tmp", "x")).Errno);

        if (readOnlyRoot)
        {
            var refused = Assert.Throws<ContainerFileException>(() => files.WriteAllText("notes.txt", "x"));
            Assert.Equal((30, "/home/app/notes.txt"), (refused.Errno, refused.Path));
            Assert.Equal(30, Assert.Throws<ContainerFileException>(() => files.CreateDirectory("/var/cache/app")).Errno);
            Assert.False(files.IsWritable("/home/app/x"));
        }
        else
        {
            files.WriteAllBytes("notes.txt", Encoding.UTF8.GetBytes("kept"));
            Assert.Equal("kept", files.ReadAllText("/home/app/../app/./notes.txt"));
            Assert.True(files.Delete("/home/app/notes.txt"));
            Assert.False(files.FileExists("/home/app/notes.txt"));
        }
    }

    private sealed class Counter
    {
        public int Value { get; set; }
    }
}
