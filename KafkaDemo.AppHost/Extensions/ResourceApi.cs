using System.Net.Http.Json;

namespace KafkaDemo.AppHost.Extensions;

/// <summary>Calls a resource's own HTTP API from a dashboard command, and turns the answer into a command result.</summary>
internal static class ResourceApi
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static async Task<ExecuteCommandResult> SendAsync<T>(
        EndpointReference endpoint, HttpMethod method, string path, T? body, string done, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(new Uri(endpoint.Url), path));
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            using var response = await Http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return CommandResults.Success(done);
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return CommandResults.Failure($"{(int)response.StatusCode}: {text}");
        }
        catch (HttpRequestException ex)
        {
            return CommandResults.Failure(ex.Message);
        }
    }

    /// <summary>Commands are enabled only while their resource is running and healthy.</summary>
    public static ResourceCommandState WhenHealthy(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
            ? ResourceCommandState.Enabled
            : ResourceCommandState.Disabled;
}
