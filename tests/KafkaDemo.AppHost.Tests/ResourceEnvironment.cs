using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace KafkaDemo.AppHost.Tests;

/// <summary>
/// The environment a resource is configured with, as the unresolved values the AppHost set
/// (strings, parameters, connection-string references), so the model can be checked without
/// starting anything.
/// </summary>
internal static class ResourceEnvironment
{
    public static async Task<Dictionary<string, object>> ReadAsync(IResource resource)
    {
        var context = new EnvironmentCallbackContext(
            new DistributedApplicationExecutionContext(new DistributedApplicationExecutionContextOptions(DistributedApplicationOperation.Run)),
            resource,
            new Dictionary<string, object>(),
            TestContext.Current.CancellationToken);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return context.EnvironmentVariables;
    }

    /// <summary>The parameter a variable is bound to, or null if it is bound to something else.</summary>
    public static ParameterResource? Parameter(this Dictionary<string, object> environment, string name) =>
        environment.TryGetValue(name, out var value) ? value as ParameterResource : null;
}
