using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaDemo.AppHost.Extensions;

/// <summary>
/// Calls a resource's own HTTP API from a dashboard command, with the control token, and turns
/// the answer into a command result.
/// </summary>
internal static class ResourceHttpCommand
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static async Task<ExecuteCommandResult> SendAsync<T>(
        ExecuteCommandContext context, EndpointReference endpoint, HttpMethod method, string path, T? body, string done)
    {
        var cancellationToken = context.CancellationToken;
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(new Uri(endpoint.Url), path));
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            if (await ControlTokenAsync(context.Services, cancellationToken) is { Length: > 0 } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
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

    /// <summary>The value of the <c>control-token</c> parameter, which the services that take commands share.</summary>
    private static async Task<string?> ControlTokenAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>()
            .SingleOrDefault(p => p.Name == DemoTopologyExtensions.ControlTokenName) is { } parameter
            ? await parameter.GetValueAsync(cancellationToken)
            : null;

    /// <summary>Commands are enabled only while their resource is running and healthy.</summary>
    public static ResourceCommandState WhenHealthy(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
            ? ResourceCommandState.Enabled
            : ResourceCommandState.Disabled;
}
