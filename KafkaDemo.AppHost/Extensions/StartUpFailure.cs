using System.Reflection;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Settings;

namespace KafkaDemo.AppHost.Extensions;

/// <summary>
/// A start-up error the user fixes, not a bug: an invalid KafkaDemo setting
/// (<see cref="InvalidSettingsException"/>), or what the chosen mode needs and this machine lacks, such
/// as Docker or k3d for KafkaDemo:Placement=cluster (<see cref="ClusterSetupException"/>, thrown from
/// BeforeStartEvent). It is reported as its message alone on standard error with exit code 1, not as
/// .NET's unhandled-exception report (a stack trace, then abort(): exit code 134 on Linux).
/// </summary>
public static class StartUpFailure
{
    public const int ExitCode = 1;

    /// <summary>
    /// Whether <paramref name="exception"/> is such an error. DistributedApplication.Run waits on RunAsync
    /// with Task.Wait, which wraps what a BeforeStartEvent subscriber threw in an AggregateException
    /// (Aspire 13.6 DistributedApplication.Run, ExecuteBeforeStartHooksAsync), so that is looked through.
    /// </summary>
    public static bool IsKnown(Exception exception) => Known(exception) is not null;

    /// <summary>
    /// Whether the AppHost is the program running, so the error ends the process. When another
    /// program runs its entry point (Aspire.Hosting.Testing's DistributedApplicationTestingBuilder runs
    /// it inside the test host), the exception must reach that caller instead: caught here, the caller
    /// would see only that the entry point exited without building a DistributedApplication.
    /// </summary>
    public static bool EndsTheProcess => Assembly.GetEntryAssembly() == typeof(StartUpFailure).Assembly;

    /// <summary>Writes the error, without a stack trace, to standard error; returns the exit code.</summary>
    public static int Report(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Console.Error.WriteLine($"KafkaDemo cannot start: {(Known(exception) ?? exception).Message}");
        return ExitCode;
    }

    private static Exception? Known(Exception exception) => exception switch
    {
        InvalidSettingsException or ClusterSetupException => exception,
        AggregateException { InnerExceptions: [var only] } => Known(only),
        _ => null,
    };
}
