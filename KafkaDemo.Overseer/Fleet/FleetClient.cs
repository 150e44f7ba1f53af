using System.Net.Http.Headers;
using System.Net.Http.Json;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.ServiceHosting.ControlAccess;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Fleet;

/// <summary>
/// HTTP calls to producers, consumers and the embedded Kafka. Each call has a short deadline and
/// no retry: the next poll is the retry, and a dead instance must not slow the others down.
/// </summary>
public sealed class FleetClient(HttpClient http, TimeProvider time, IOptions<ControlOptions> control)
{
    private readonly string? _token = control.Value.ResolvedToken();

    /// <summary>Deadline of one call.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    public Task<ProducerStats?> ProducerStatsAsync(string baseUrl, CancellationToken cancellationToken) =>
        GetAsync<ProducerStats>(baseUrl, "/api/stats", cancellationToken);

    public Task<ConsumerStats?> ConsumerStatsAsync(string baseUrl, CancellationToken cancellationToken) =>
        GetAsync<ConsumerStats>(baseUrl, "/api/stats", cancellationToken);

    public Task<IntervalSeries?> IntervalsAsync(string baseUrl, long after, CancellationToken cancellationToken) =>
        GetAsync<IntervalSeries>(baseUrl, FormattableString.Invariant($"/api/histograms?after={after}"), cancellationToken);

    public Task<ClusterState?> ClusterAsync(string baseUrl, CancellationToken cancellationToken) =>
        GetAsync<ClusterState>(baseUrl, "/api/cluster", cancellationToken);

    public async Task<bool> HealthyAsync(string baseUrl, CancellationToken cancellationToken)
    {
        using var timeout = Deadline(cancellationToken);
        try
        {
            using var response = await http.GetAsync(new Uri(new Uri(baseUrl), "/health"), timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>PUTs a JSON body; throws with the answer's text when the call fails.</summary>
    public async Task PutAsync<T>(string baseUrl, string path, T body, CancellationToken cancellationToken)
    {
        using var timeout = Deadline(cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(new Uri(baseUrl), path)) { Content = JsonContent.Create(body) };
        if (_token is not null)
        {
            // The producers share the Overseer's control token (the AppHost hands the same one to both).
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        using var response = await http.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            throw new HttpRequestException($"PUT {baseUrl}{path} answered {(int)response.StatusCode}: {text}");
        }
    }

    private async Task<T?> GetAsync<T>(string baseUrl, string path, CancellationToken cancellationToken)
    {
        using var timeout = Deadline(cancellationToken);
        return await http.GetFromJsonAsync<T>(new Uri(new Uri(baseUrl), path), timeout.Token);
    }

    /// <summary>The caller's token, cancelled also after <see cref="CallTimeout"/> on the injected clock.</summary>
    private CallDeadline Deadline(CancellationToken cancellationToken)
    {
        var timer = new CancellationTokenSource(CallTimeout, time);
        return new CallDeadline(timer, CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token));
    }

    private sealed class CallDeadline(CancellationTokenSource timer, CancellationTokenSource linked) : IDisposable
    {
        public CancellationToken Token => linked.Token;

        public void Dispose()
        {
            linked.Dispose();
            timer.Dispose();
        }
    }
}
