using System.Net.Http.Json;
using KafkaDemo.Messaging.Contracts;
using KafkaDemo.Overseer.Discovery;
using KafkaDemo.ServiceHosting.ControlAccess;
using Microsoft.Extensions.Options;

namespace KafkaDemo.Overseer.Fleet;

/// <summary>
/// HTTP calls to producers, consumers and the embedded Kafka, wherever their
/// <see cref="InstanceAddress"/> says they answer (a URL, or a pod through the API server's proxy).
/// Each call has a short deadline and no retry: the next poll is the retry, and a dead instance must
/// not slow the others down.
/// </summary>
public sealed class FleetClient(HttpClient http, TimeProvider time, IOptions<ControlOptions> control)
{
    private readonly string? _token = control.Value.ResolvedToken();

    /// <summary>Deadline of one call.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    public Task<ProducerStats?> ProducerStatsAsync(InstanceAddress address, CancellationToken cancellationToken) =>
        GetAsync<ProducerStats>(address, "/api/stats", cancellationToken);

    public Task<ConsumerStats?> ConsumerStatsAsync(InstanceAddress address, CancellationToken cancellationToken) =>
        GetAsync<ConsumerStats>(address, "/api/stats", cancellationToken);

    public Task<IntervalSeries?> IntervalsAsync(InstanceAddress address, long after, CancellationToken cancellationToken) =>
        GetAsync<IntervalSeries>(address, FormattableString.Invariant($"/api/histograms?after={after}"), cancellationToken);

    public Task<ClusterState?> ClusterAsync(InstanceAddress address, CancellationToken cancellationToken) =>
        GetAsync<ClusterState>(address, "/api/cluster", cancellationToken);

    public async Task<bool> HealthyAsync(InstanceAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var timeout = Deadline(cancellationToken);
        try
        {
            using var response = await address.SendAsync(http, HttpMethod.Get, "/health", null, null, timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>PUTs a JSON body with the control token; throws with the answer's text when the call fails.</summary>
    public async Task PutAsync<T>(InstanceAddress address, string path, T body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var timeout = Deadline(cancellationToken);

        // The producers share the Overseer's control token (the AppHost hands the same one to both).
        using var response = await address.SendAsync(http, HttpMethod.Put, path, JsonContent.Create(body), _token, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            throw new HttpRequestException($"PUT {address.Display}{path} answered {(int)response.StatusCode}: {text}");
        }
    }

    private async Task<T?> GetAsync<T>(InstanceAddress address, string pathAndQuery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var timeout = Deadline(cancellationToken);
        using var response = await address.SendAsync(http, HttpMethod.Get, pathAndQuery, null, null, timeout.Token);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<T>(timeout.Token);
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
