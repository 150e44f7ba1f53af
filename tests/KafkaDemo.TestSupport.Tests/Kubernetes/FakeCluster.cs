using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>A started fake and a real KubernetesClient configured from the kubeconfig the fake wrote.</summary>
internal sealed class FakeCluster : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly string directory;

    private FakeCluster(FakeKubernetesApi api, string directory)
    {
        Api = api;
        this.directory = directory;
        KubeconfigPath = Path.Combine(directory, "kubeconfig");
        api.WriteKubeconfig(KubeconfigPath);
        Client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));
    }

    public FakeKubernetesApi Api { get; }

    public k8s.Kubernetes Client { get; }

    public string KubeconfigPath { get; }

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<FakeCluster> StartAsync(FakeKubernetesOptions? options = null)
    {
        var api = await FakeKubernetesApi.StartAsync(options, Token);
        return new FakeCluster(api, Directory.CreateTempSubdirectory("fake-kubernetes-").FullName);
    }

    /// <summary>Sends a raw request with the admin kubeconfig's credentials, through the client's HttpClient (which trusts the fake's CA).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Api.ClientConfiguration.AccessToken);
        return await Client.HttpClient.SendAsync(request, completion, Token);
    }

    /// <summary>A KubernetesClient that authenticates with <paramref name="token"/> (none when null).</summary>
    public k8s.Kubernetes ClientFor(string? token) => new(Api.ClientConfigurationFor(token));

    /// <summary>A token that ends the test's wait after <see cref="Deadline"/>.</summary>
    public static CancellationTokenSource DeadlineToken()
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(Token);
        source.CancelAfter(Deadline);
        return source;
    }

    /// <summary>What KubernetesClient returns for custom objects (a JsonElement), as a JsonObject.</summary>
    public static JsonObject Json(object custom) => JsonSerializer.SerializeToNode(custom)!.AsObject();

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            await Api.DisposeAsync();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
