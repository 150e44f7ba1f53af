using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// A container that runs a real program: the process (started with exactly the container's environment over
/// the program's host needs), its stdout and stderr as the container's log, its readiness as the kubelet's
/// prober would find it, and how it stops (SIGTERM, then SIGKILL after the grace period).
/// </summary>
internal sealed class ContainerProcess : IAsyncDisposable
{
    /// <summary>The bound on a pod's grace period here, so a test never waits the default 30 s for a program that ignores SIGTERM.</summary>
    public static readonly TimeSpan MaximumGrace = TimeSpan.FromSeconds(5);

    private readonly Process process;
    private readonly TimeProvider time;
    private readonly CancellationTokenSource stopping = new();
    private readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? prober;
    private int stopped;

    private ContainerProcess(Process process, ContainerLaunch launch, ContainerLog log, TimeProvider time)
    {
        this.process = process;
        this.time = time;
        Launch = launch;
        Log = log;
    }

    public ContainerLaunch Launch { get; }

    public ContainerLog Log { get; }

    public int ProcessId => process.Id;

    public bool HasExited => exited.Task.IsCompleted;

    /// <summary>The exit code once it has exited.</summary>
    public int? ExitCode { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    /// <summary>Whether the last readiness result was success (true from the start when the container has no readiness probe).</summary>
    public bool Ready { get; private set; }

    /// <summary>Called when readiness changes or the process exits, so the kubelet writes the pod's status again.</summary>
    public Action? Changed { get; set; }

    public static ContainerProcess Start(ContainerLaunch launch, ContainerCommand command, JsonObject container, TimeProvider time)
    {
        var start = new ProcessStartInfo(command.FileName)
        {
            WorkingDirectory = command.WorkingDirectory ?? Path.GetDirectoryName(command.FileName) ?? "/",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Exactly the container's environment: nothing of the test process leaks in, except what the
        // program's host needs (the image's ENV, as it were), which the container's own variables override.
        start.Environment.Clear();
        foreach (var (name, value) in command.HostEnvironment)
        {
            start.Environment[name] = value;
        }

        foreach (var (name, value) in launch.Environment)
        {
            start.Environment[name] = value;
        }

        var log = new ContainerLog();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var running = new ContainerProcess(process, launch, log, time);
        process.OutputDataReceived += (_, e) => running.Append("stdout", e.Data);
        process.ErrorDataReceived += (_, e) => running.Append("stderr", e.Data);
        process.Exited += (_, _) => running.OnExited();
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new ContainerStartFailure(
                ContainerStartFailure.RunContainerError,
                $"failed to create containerd task: failed to create shim task: OCI runtime create failed: exec: \"{command.FileName}\": {e.Message}");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        running.prober = running.ProbeAsync(container, running.stopping.Token);
        return running;
    }

    private void Append(string stream, string? line)
    {
        if (line is not null)
        {
            Log.Append(time.GetUtcNow(), stream, line);
        }
    }

    private void OnExited()
    {
        // WaitForExit without a timeout drains the redirected output before the log closes.
        process.WaitForExit();
        ExitCode = process.ExitCode;
        FinishedAt = time.GetUtcNow();
        Ready = false;
        Log.Close();
        exited.TrySetResult();
        Changed?.Invoke();
    }

    /// <summary>
    /// The readiness prober (kubernetes pkg/kubelet/prober/worker.go doProbe, prober.go runProbe): after
    /// initialDelaySeconds, every periodSeconds (default 10) an HTTP GET with timeoutSeconds (default 1);
    /// ready after successThreshold (default 1) successes in a row, not ready after failureThreshold
    /// (default 3) failures in a row. Without a readiness probe the container is ready once it runs.
    /// Only httpGet probes are run; an exec or tcpSocket readiness probe never succeeds here (stricter).
    /// </summary>
    private async Task ProbeAsync(JsonObject container, CancellationToken cancellationToken)
    {
        var probe = container["readinessProbe"] as JsonObject;
        if (probe is null)
        {
            SetReady(true);
            return;
        }

        var period = TimeSpan.FromSeconds(Seconds(probe, "periodSeconds", 10));
        var timeout = TimeSpan.FromSeconds(Seconds(probe, "timeoutSeconds", 1));
        var successThreshold = Seconds(probe, "successThreshold", 1);
        var failureThreshold = Seconds(probe, "failureThreshold", 3);
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true, UseProxy = false, UseCookies = false }) { Timeout = timeout };
        var successes = 0;
        var failures = 0;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(Seconds(probe, "initialDelaySeconds", 0)), time, cancellationToken);
            while (!cancellationToken.IsCancellationRequested && !HasExited)
            {
                var success = await ProbeOnceAsync(client, probe, container, cancellationToken);
                (successes, failures) = success ? (successes + 1, 0) : (0, failures + 1);
                if (success && successes >= successThreshold)
                {
                    SetReady(true);
                }
                else if (!success && failures >= failureThreshold)
                {
                    SetReady(false);
                }

                await Task.Delay(period, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped with the container.
        }
    }

    /// <summary>
    /// One HTTP probe as pkg/probe/http/request.go NewRequestForHTTPGetAction and newProbeRequest build it
    /// (the path, the port resolved by name against the container's ports, httpHeaders added in order,
    /// User-Agent kube-probe/1.32 and Accept */* unless given, and Host from a Host header), sent to the
    /// loopback port that stands for the container port; success is 200 &lt;= status &lt; 400 (http.go DoHTTPProbe).
    /// </summary>
    private async Task<bool> ProbeOnceAsync(HttpClient client, JsonObject probe, JsonObject container, CancellationToken cancellationToken)
    {
        if (probe["httpGet"] is not JsonObject httpGet || ResolvePort(httpGet["port"], container) is not { } containerPort
            || !Launch.Ports.TryGetValue(containerPort, out var hostPort))
        {
            return false;
        }

        var path = JsonFields.Text(httpGet, "path") ?? "";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{hostPort.ToString(CultureInfo.InvariantCulture)}/{path.TrimStart('/')}"));
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in (httpGet["httpHeaders"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = JsonFields.Text(header, "name") ?? "";
            var value = JsonFields.Text(header, "value") ?? "";
            names.Add(name);
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = value;
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (!names.Contains("User-Agent"))
        {
            request.Headers.TryAddWithoutValidation("User-Agent", "kube-probe/1.32");
        }

        if (!names.Contains("Accept"))
        {
            request.Headers.TryAddWithoutValidation("Accept", "*/*");
        }

        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            return (int)response.StatusCode is >= 200 and < 400;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>pkg/probe/util.go ResolveContainerPort: a number as it is, a name against the container's ports.</summary>
    public static int? ResolvePort(JsonNode? port, JsonObject container) => port switch
    {
        JsonValue v when v.TryGetValue<int>(out var number) => number,
        JsonValue v when v.TryGetValue<string>(out var name) => (container["ports"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(p => JsonFields.Text(p, "name") == name)
            .Select(p => (int?)p["containerPort"]?.GetValue<int>())
            .FirstOrDefault(),
        _ => null,
    };

    private void SetReady(bool ready)
    {
        if (Ready != ready && !HasExited)
        {
            Ready = ready;
            Changed?.Invoke();
        }
    }

    private static int Seconds(JsonObject probe, string field, int fallback) =>
        probe[field] is JsonValue v && v.TryGetValue<int>(out var value) && value > 0 ? value : fallback;

    /// <summary>
    /// Stops it as the kubelet stops a container (kuberuntime_container.go killContainer): SIGTERM, then
    /// SIGKILL once the grace period is over (the pod's terminationGracePeriodSeconds, bounded here).
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1)
        {
            await exited.Task;
            return;
        }

        await stopping.CancelAsync();
        if (!HasExited)
        {
            SignalTerm();
            using var deadline = new CancellationTokenSource(grace < MaximumGrace ? grace : MaximumGrace);
            try
            {
                await exited.Task.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Exited meanwhile.
                }

                await exited.Task;
            }
        }

        if (prober is not null)
        {
            await prober;
        }
    }

    /// <summary>SIGTERM through kill(1): .NET's Process has no way to send it.</summary>
    private void SignalTerm()
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false });
            kill?.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(MaximumGrace);
        stopping.Dispose();
        process.Dispose();
    }
}
