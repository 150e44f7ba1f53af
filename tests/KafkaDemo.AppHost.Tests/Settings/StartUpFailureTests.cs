using System.Diagnostics;
using KafkaDemo.AppHost.Extensions;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.Settings;

/// <summary>
/// The AppHost run as its own process (its build output, as <c>dotnet run --no-build</c> runs it) with a
/// start-up error a user makes: it ends by itself with exit code 1 and one plain message on standard
/// error, never .NET's unhandled-exception report (stack frames "   at ...", then abort: exit code 134).
/// </summary>
public sealed class StartUpFailureTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Placement_cluster_without_Docker_ends_with_one_plain_line_naming_Docker_and_the_alternatives()
    {
        // A docker that is not there (not found on PATH), whatever this machine has.
        var (exitCode, stdout, stderr) = await RunAppHostAsync(new()
        {
            ["KafkaDemo__Mode"] = "k3d",
            ["KafkaDemo__Placement"] = "cluster",
            ["KafkaDemo__K3d__DockerCommand"] = Path.Combine(Path.GetTempPath(), $"kafkademo-no-docker-{Guid.NewGuid():N}", "docker"),
        });

        Assert.Equal(StartUpFailure.ExitCode, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("KafkaDemo cannot start: KafkaDemo:Placement=cluster builds the producer and consumer images with Docker and imports them with k3d: Docker is not installed", line, StringComparison.Ordinal);
        Assert.Contains("https://docs.docker.com/get-docker/", line, StringComparison.Ordinal);
        Assert.Contains("KafkaDemo:Mode=embedded", line, StringComparison.Ordinal);
        Assert.Contains("KafkaDemo:Placement=host", line, StringComparison.Ordinal);
        AssertNoStackTrace(stdout + stderr);
    }

    [Fact]
    public async Task An_invalid_setting_ends_with_the_problem_naming_its_key()
    {
        var (exitCode, stdout, stderr) = await RunAppHostAsync(new() { ["KafkaDemo__Mode"] = "cloud" });

        Assert.Equal(StartUpFailure.ExitCode, exitCode);
        Assert.StartsWith("KafkaDemo cannot start: Invalid AppHost configuration:", stderr, StringComparison.Ordinal);
        Assert.Contains("KafkaDemo:Mode must be auto, embedded, k3d or external; it is 'cloud'.", stderr, StringComparison.Ordinal);
        AssertNoStackTrace(stdout + stderr);
    }

    private static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    /// <summary>Runs the AppHost with the launch profile's variables (its ports free ones) plus <paramref name="environment"/>, until it exits.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAppHostAsync(Dictionary<string, string> environment)
    {
        var assembly = ServiceProcess.AssemblyPath("KafkaDemo.AppHost");
        var ports = FreePorts.Block(3);
        var start = new ProcessStartInfo(ServiceProcess.DotnetHost)
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ports}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{ports + 1}";
        start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{ports + 2}";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The AppHost did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"The AppHost did not end by itself within {Deadline.TotalSeconds} s. Output:\n{await stdout}\n{await stderr}");
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"The AppHost exited with {process.ExitCode} after {clock.Elapsed.TotalSeconds:F1} s.");
        return (process.ExitCode, await stdout, await stderr);
    }
}
