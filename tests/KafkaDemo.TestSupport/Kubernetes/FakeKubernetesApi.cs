using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// An in-process fake Kubernetes API server on 127.0.0.1 (an ephemeral port, HTTPS with its own CA) that the
/// real KubernetesClient and kubectl can talk to: discovery, CRUD, list and watch, server-side apply
/// and the other patches, the status subresource, pod exec over WebSocket and the pod proxy; bearer
/// tokens (the admin's, service accounts', TokenRequest), RBAC, and admission (ServiceAccount,
/// ValidatingAdmissionPolicy with its CEL) for what comes through the API. Tests script the
/// world through direct store access, write hooks, exec handlers and fault rules, and read back
/// every request and every applied object. Its one node's kubelet starts the pods the opt-in
/// Deployment controller makes (<see cref="ScriptedControllers.DeploymentsRunPods"/>), with their
/// environment and files, and exec runs in them. See README.md beside this file for what is simplified.
/// </summary>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    /// <summary>The field manager the direct-access methods write with unless told otherwise.</summary>
    public const string TestFieldManager = "fake-kubernetes-test";

    private const string Token = "fake-kubernetes-token";

    private readonly ObjectStore store;
    private readonly KindRegistry kinds = new();
    private readonly ObjectWriter writer;
    private readonly WriteReactions reactions;
    private readonly TokenRegistry tokens;
    private readonly ServingCertificates certificates = ServingCertificates.Create();
    private readonly Kubelet kubelet;
    private readonly ProgramRuntime programs;
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly ConcurrentQueue<AppliedObject> applied = new();
    private readonly ConcurrentQueue<ExecInvocation> execs = new();
    private readonly ConcurrentQueue<Exception> unexpected = new();
    private readonly Lock faultsGate = new();
    private readonly List<FaultRule> faults = [];
    private readonly CancellationTokenSource stopping = new();
    private Func<ExecContext, Task<int>>? execHandler;
    private Func<PodProxyRequest, Task<PodProxyResponse?>>? proxyHandler;
    private WebApplication? app;
    private Uri? baseAddress;

    private FakeKubernetesApi(FakeKubernetesOptions options)
    {
        store = new ObjectStore(options.TimeProvider, options.WatchHistoryLimit);
        var evaluator = new CelEvaluator();
        store.Prepare = new PolicyStrategy(evaluator).Prepare;
        writer = new ObjectWriter(store, new AdmissionChain(store, new ValidatingPolicyAdmission(store, kinds, evaluator)));
        tokens = new TokenRegistry(Token, options.TimeProvider, account =>
            JsonFields.Text(store.Get(ObjectKey.Of(ResourceType.ServiceAccounts, account.Namespace, account.Name)), "metadata", "uid"));
        reactions = new WriteReactions((key, apiVersion) => ResourceOf(key, apiVersion));
        var establisher = new DefinitionEstablisher(writer, kinds, options.TimeProvider, options.CrdEstablishDelay);
        store.Committed += establisher.Learn;
        store.Committed += reactions.Dispatch;
        programs = new ProgramRuntime(options.TimeProvider);
        kubelet = new Kubelet(store, writer, kinds, tokens, () => BaseAddress, programs);
        store.Committed += kubelet.Forget;
        reactions.Add(DefinitionEstablisher.Wants, establisher.EstablishAsync);
        foreach (var name in options.InitialNamespaces)
        {
            writer.Create(Kind(ResourceType.Namespaces), null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, "kube-apiserver", dryRun: false);
        }
    }

    /// <summary>The server's address, such as <c>https://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress => baseAddress ?? throw new InvalidOperationException("The fake Kubernetes API is not started.");

    /// <summary>A client configuration for the fake, for <c>new Kubernetes(fake.ClientConfiguration)</c>.</summary>
    public KubernetesClientConfiguration ClientConfiguration => new()
    {
        Host = BaseAddress.GetLeftPart(UriPartial.Authority),
        AccessToken = Token,
        Namespace = "default",
        SslCaCerts = [X509CertificateLoader.LoadCertificate(certificates.Authority.RawData)],
    };

    /// <summary>
    /// A client configuration that authenticates with <paramref name="token"/> (for example one from
    /// <see cref="IssueServiceAccountToken"/> or the TokenRequest API), or with none when null.
    /// </summary>
    public KubernetesClientConfiguration ClientConfigurationFor(string? token)
    {
        var configuration = ClientConfiguration;
        configuration.AccessToken = token;
        return configuration;
    }

    /// <summary>The cluster CA that signed the serving certificate, as PEM (what <c>ca.crt</c> and kubeconfigs carry).</summary>
    public string CertificateAuthorityPem => certificates.AuthorityPem;

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. requests];

    /// <summary>Every server-side apply received so far, in arrival order, answered or refused.</summary>
    public IReadOnlyList<AppliedObject> AppliedObjects => [.. applied];

    /// <summary>Every exec started so far.</summary>
    public IReadOnlyList<ExecInvocation> Execs => [.. execs];

    /// <summary>Exceptions the fake did not expect (bugs in the fake, answered with 500). Disposing throws if there are any.</summary>
    public IReadOnlyList<Exception> UnexpectedErrors => [.. unexpected];

    /// <summary>Failures of write hooks (reactions and filters). Disposing throws if there are any.</summary>
    public IReadOnlyList<Exception> ReactionFailures => [.. reactions.Failures];

    /// <summary>The resources served now: the built-in ones and those of established CustomResourceDefinitions.</summary>
    public IReadOnlyList<ResourceKind> ServedResources => kinds.All;

    /// <summary>The fake's clock, as it stamps creation and managedFields times.</summary>
    public DateTimeOffset Now => store.Now;

    /// <summary>The latest resourceVersion given out.</summary>
    public long ResourceVersion => store.CurrentVersion;

    public static async Task<FakeKubernetesApi> StartAsync(FakeKubernetesOptions? options = null, CancellationToken cancellationToken = default)
    {
        var fake = new FakeKubernetesApi(options ?? new FakeKubernetesOptions());
        try
        {
            await fake.StartServerAsync(options?.TimeProvider ?? TimeProvider.System, cancellationToken);
            return fake;
        }
        catch
        {
            await fake.DisposeAsync();
            throw;
        }
    }

    private async Task StartServerAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.UseHttps(certificates.Server);
            }));
        app = builder.Build();
        var exec = new ExecEndpoint(store, kubelet, () => Volatile.Read(ref execHandler), execs);
        var authorizer = new RbacAuthorizer(store);
        var proxy = new PodProxyEndpoint(store, kubelet, () => Volatile.Read(ref proxyHandler));
        var resources = new ResourceEndpoints(store, kinds, writer, exec, proxy, new PodLogEndpoint(store, kubelet), new TokenRequestEndpoint(store, tokens), authorizer, applied);
        var router = new ApiRouter(kinds, resources, tokens, authorizer, requests, Faults, unexpected, () => BaseAddress.Authority, time, stopping.Token);
        app.UseWebSockets();
        app.Run(router.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        baseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    /// <summary>
    /// Writes a kubeconfig for the fake (one cluster, user and context, namespace "default"), for
    /// KubernetesClient and kubectl: as the admin, or as whoever <paramref name="token"/> stands for
    /// (<see cref="IssueServiceAccountToken"/>), whom RBAC then decides for.
    /// </summary>
    public void WriteKubeconfig(string path, string contextName = "fake-kubernetes", string? token = null) =>
        File.WriteAllText(path, KubeconfigFile.Text(BaseAddress, contextName, token ?? Token, certificates.AuthorityPem));

    /// <summary>A KubernetesClient for the fake; the caller disposes it.</summary>
    public k8s.Kubernetes CreateClient() => new(ClientConfiguration);

    /// <summary>
    /// Runs every exec with this handler: it gets the command and the streams and returns the exit
    /// code. It replaces the previous one.
    /// </summary>
    public void OnExec(Func<ExecContext, Task<int>> handler) => Volatile.Write(ref execHandler, handler);

    /// <summary>
    /// Plays whatever listens in pods for the API server's pod proxy
    /// (<c>/api/v1/namespaces/{ns}/pods/{name}:{port}/proxy/{path}</c>): one handler for every proxied request
    /// to a Running pod with an IP; switch on the pod, port and path. Null means nothing listens on that
    /// port (the real 503 "connection refused"). It replaces the previous one.
    /// </summary>
    public void OnPodProxy(Func<PodProxyRequest, Task<PodProxyResponse?>> handler) => Volatile.Write(ref proxyHandler, handler);

    /// <summary>
    /// Reacts to committed writes (through the API or direct access): <paramref name="filter"/> picks
    /// them, in commit order; <paramref name="reaction"/> runs after each, off the request, and may
    /// write to the fake (for example, set a custom resource's status). Dispose the result to stop.
    /// </summary>
    public IDisposable OnWrite(Func<ObjectWrite, bool> filter, Func<ObjectWrite, CancellationToken, Task> reaction) =>
        reactions.Add(filter, reaction);

    /// <summary>
    /// Tells the fake's container runtime what an image holds: its ENV (the start of every container's
    /// environment), WORKDIR and USER. An image it was not told about has none of them.
    /// </summary>
    public void RegisterImage(string image, ImageConfig config)
    {
        ArgumentException.ThrowIfNullOrEmpty(image);
        ArgumentNullException.ThrowIfNull(config);
        kubelet.RegisterImage(image, config);
    }

    /// <summary>
    /// Runs an image as a real program: when the kubelet starts a container of an image that matches
    /// <paramref name="imagePattern"/> (a name, or a prefix ending in <c>*</c>, such as <c>kafkademo-producer:*</c>),
    /// it asks <paramref name="program"/> what to run for it and starts that process with exactly the
    /// environment it computed for the container (cluster DNS names rewritten, see <see cref="AddClusterDns"/>).
    /// Each declared containerPort stands for a free loopback port the program must listen on
    /// (<see cref="ContainerLaunch.Ports"/>): pods share the host's network here. The process's output is the
    /// container's log, its readiness probe decides the pod's readiness, the pod proxy forwards to it, and it
    /// is stopped when its pod is deleted or the fake disposed.
    /// </summary>
    public void RunImage(string imagePattern, Func<ContainerLaunch, ContainerCommand> program)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagePattern);
        ArgumentNullException.ThrowIfNull(program);
        programs.Register(imagePattern, program);
    }

    /// <summary>
    /// The fake's cluster DNS, for programs run by <see cref="RunImage"/>: every occurrence of
    /// <paramref name="nameAndPort"/> (such as <c>kafkademo-kafka-bootstrap.kafka.svc:9092</c>) in a container's
    /// environment becomes <paramref name="hostAndPort"/> (such as an embedded broker's <c>127.0.0.1:39092</c>).
    /// It is the only rewrite; a container whose environment names any other <c>*.svc</c> host fails to start.
    /// </summary>
    public void AddClusterDns(string nameAndPort, string hostAndPort)
    {
        ArgumentException.ThrowIfNullOrEmpty(nameAndPort);
        ArgumentException.ThrowIfNullOrEmpty(hostAndPort);
        programs.AddDns(nameAndPort, hostAndPort);
    }

    /// <summary>
    /// A host name the cluster's DNS answers with an address, whatever the port: CoreDNS's NodeHosts, where
    /// k3d writes host.k3d.internal (k3d v5.9.0 pkg/client/cluster.go ClusterStart: the hostAliases, with
    /// host.k3d.internal at the environment's HostGateway, into the coredns ConfigMap's NodeHosts). Every
    /// occurrence of <paramref name="hostname"/> as a whole host name in a container's environment becomes
    /// <paramref name="address"/>; an unregistered <c>*.internal</c> name fails the container, as a
    /// <c>*.svc</c> name does without <see cref="AddClusterDns"/>.
    /// </summary>
    public void AddNodeHost(string hostname, string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostname);
        ArgumentException.ThrowIfNullOrEmpty(address);
        programs.AddNodeHost(hostname, address);
    }

    /// <summary>Every process the container runtime started (<see cref="RunImage"/>), to check that none outlives its pod.</summary>
    public IReadOnlyList<ContainerProcessRecord> ContainerProcesses => programs.Processes;

    /// <summary>
    /// A new bearer token for a service account (an opaque string, not a JWT): requests that carry it
    /// are recorded as that account (<see cref="RecordedRequest.Identity"/>), as the real service account
    /// authenticator would name them, and authorized by RBAC as that account. The account need not exist,
    /// and the token never expires (for one that does, and dies with its account, use the TokenRequest API).
    /// </summary>
    public string IssueServiceAccountToken(string @namespace, string serviceAccount)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(serviceAccount);
        return tokens.Issue(new ServiceAccountRef(@namespace, serviceAccount));
    }

    /// <summary>
    /// A container the fake's kubelet started (or that an exec started in a pod a test put as Running),
    /// or null if there is none such now. Without a container name, the pod's only running container.
    /// </summary>
    public RunningContainer? FindRunningContainer(string @namespace, string pod, string? container = null) =>
        kubelet.Find(@namespace, pod, container);

    internal Kubelet Kubelet => kubelet;

    internal ObjectWriter Writer => writer;

    internal KindRegistry Kinds => kinds;

    /// <summary>
    /// Ends every open watch now, as an API server does when a watch's timeout passes or it restarts; a
    /// client watches again from its last resourceVersion (or reads again).
    /// </summary>
    public void CloseWatches() => store.CloseWatches();

    /// <summary>Injects a fault (delay, error answer, or both) into matching requests. Dispose the result to remove it.</summary>
    public IDisposable AddFault(FaultRule rule)
    {
        lock (faultsGate)
        {
            faults.Add(rule);
        }

        return new FaultRemoval(this, rule);
    }

    private List<FaultRule> Faults()
    {
        lock (faultsGate)
        {
            return [.. faults];
        }
    }

    /// <summary>The object, or null.</summary>
    public JsonObject? Get(ResourceType type, string? @namespace, string name)
    {
        var kind = Kind(type);
        return store.Get(ObjectKey.Of(type, kind.Namespaced ? @namespace : null, name)) is { } found ? JsonResponse.Present(found, kind) : null;
    }

    /// <summary>The object as a KubernetesClient model (such as V1Pod), or null.</summary>
    public T? Get<T>(ResourceType type, string? @namespace, string name)
        where T : class =>
        Get(type, @namespace, name) is { } found ? KubernetesJson.Deserialize<T>(found.ToJsonString()) : null;

    /// <summary>The objects of a resource, in one namespace or all, ordered by namespace and name.</summary>
    public IReadOnlyList<JsonObject> List(ResourceType type, string? @namespace = null)
    {
        var kind = Kind(type);
        return [.. store.List(type.Group, type.Plural, @namespace).Items.Select(i => JsonResponse.Present(i, kind))];
    }

    /// <summary>
    /// Creates or replaces an object as given, status included (unlike the API, which keeps status for
    /// the status subresource): the way to put pods, or anything a controller would make, into the world.
    /// Its kind comes from apiVersion and kind; a namespaced object's namespace must exist.
    /// </summary>
    public JsonObject Put(JsonObject item, string fieldManager = TestFieldManager)
    {
        var apiVersion = JsonFields.Text(item, "apiVersion") ?? throw new ArgumentException("The object has no apiVersion.", nameof(item));
        var kindName = JsonFields.Text(item, "kind") ?? throw new ArgumentException("The object has no kind.", nameof(item));
        var kind = kinds.FindByKind(apiVersion, kindName) ?? throw new InvalidOperationException($"{kindName} ({apiVersion}) is not served.");
        var name = JsonFields.Text(item, "metadata", "name") ?? throw new ArgumentException("The object has no metadata.name.", nameof(item));
        var @namespace = kind.Namespaced
            ? JsonFields.Text(item, "metadata", "namespace") ?? throw new ArgumentException($"A {kindName} needs metadata.namespace.", nameof(item))
            : null;
        return Direct(() => store.Write(ObjectKey.Of(kind.Type, @namespace, name), kind, current =>
        {
            if (current is null && @namespace is not null && !store.Exists(ObjectKey.Of(ResourceType.Namespaces, null, @namespace)))
            {
                throw ApiStatusException.NotFound(ResourceType.Namespaces, @namespace);
            }

            var next = (JsonObject)item.DeepClone();
            var now = KubeTime.Format(store.Now);
            ManagedFieldsEntry.RecordUpdate(current, next, fieldManager, apiVersion, FieldScope.Main, kind.HasStatus, now);
            if (kind.HasStatus)
            {
                var statusBefore = (JsonObject?)current?.DeepClone() ?? new JsonObject { ["metadata"] = new JsonObject() };
                JsonFields.Metadata(statusBefore)["managedFields"] = next["metadata"]?["managedFields"]?.DeepClone();
                ManagedFieldsEntry.RecordUpdate(statusBefore, next, fieldManager, apiVersion, FieldScope.Status, kind.HasStatus, now);
            }

            return next;
        }, new WriteCause("update", fieldManager, ThroughApi: false)).Object);
    }

    /// <summary>Merges <paramref name="status"/> into the object's status (JSON merge patch), as a controller's status update would.</summary>
    public JsonObject PatchStatus(ResourceType type, string? @namespace, string name, JsonObject status, string fieldManager = TestFieldManager)
    {
        var kind = Kind(type);
        var patch = new JsonObject { ["status"] = status.DeepClone() };
        return Direct(() => writer.Patch(kind, kind.Namespaced ? @namespace : null, name, PatchKind.Merge, patch,
            kind.HasStatus ? FieldScope.Status : FieldScope.Main, fieldManager, force: false, dryRun: false).Object);
    }

    /// <summary>Deletes an object (a namespace with its objects); false if there was none.</summary>
    public bool Delete(ResourceType type, string? @namespace, string name)
    {
        var kind = Kind(type);
        try
        {
            writer.Delete(kind, kind.Namespaced ? @namespace : null, name, dryRun: false, TestFieldManager);
            return true;
        }
        catch (ApiStatusException e) when (e.Code == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private ResourceKind Kind(ResourceType type) =>
        kinds.Find(type) ?? throw new InvalidOperationException($"{type} is not served.");

    private static ResourceType ResourceOf(ObjectKey key, string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return new ResourceType(key.Group, slash < 0 ? apiVersion : apiVersion[(slash + 1)..], key.Plural);
    }

    private static JsonObject Direct(Func<JsonObject> write)
    {
        try
        {
            return write();
        }
        catch (ApiStatusException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        store.CloseWatches();
        await reactions.DisposeAsync();
        await kubelet.DisposeAsync();
        if (app is not null)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(deadline.Token);
            await app.DisposeAsync();
        }

        stopping.Dispose();
        certificates.Dispose();
        var problems = unexpected.Concat(reactions.Failures).ToArray();
        if (problems.Length > 0)
        {
            throw new AggregateException("The fake Kubernetes API saw failures: bugs in the fake (UnexpectedErrors) or failing write hooks (ReactionFailures).", problems);
        }
    }

    private sealed class FaultRemoval(FakeKubernetesApi owner, FaultRule rule) : IDisposable
    {
        public void Dispose()
        {
            lock (owner.faultsGate)
            {
                owner.faults.Remove(rule);
            }
        }
    }
}
