using System.Diagnostics;
using System.Text;

namespace KafkaDemo.TestSupport;

/// <summary>
/// One of the repository's services run as its own process, from its project's build output,
/// listening on a free loopback port, so that a test can kill it for real. Killed (with its
/// children) when disposed.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public HttpClient Http { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The address it was told to listen on (<c>--urls</c>).</summary>
    public string ListenAddress { get; private init; } = "127.0.0.1";

    /// <summary>Everything it wrote to standard output and error so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="project"/> (for example "KafkaDemo.Consumer") from
    /// <c>&lt;repository&gt;/&lt;project&gt;/bin/&lt;configuration of this test&gt;/net10.0</c>, listening on a free port.
    /// </summary>
    public static ServiceProcess Start(string project, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment) =>
        Start(project, arguments, environment, "127.0.0.1");

    /// <summary>As <see cref="Start(string, IEnumerable{string}, IReadOnlyDictionary{string, string})"/>, listening on <paramref name="listenAddress"/> (for example 0.0.0.0).</summary>
    public static ServiceProcess Start(string project, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string listenAddress)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var assembly = AssemblyPath(project);
        var directory = Path.GetDirectoryName(assembly)!;
        var port = FreePorts.Block(1);
        var start = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://{listenAddress}:{port}");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{project} did not start.");
        return new ServiceProcess(process, port) { ListenAddress = listenAddress };
    }

    /// <summary>The dotnet host that runs the services: DOTNET_HOST_PATH when set (under dotnet test), else "dotnet" from PATH.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>
    /// <c>&lt;repository&gt;/&lt;project&gt;/bin/&lt;configuration of this test&gt;/net10.0/&lt;project&gt;.dll</c>, which must be built
    /// (a test project that references the service builds it).
    /// </summary>
    public static string AssemblyPath(string project)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var assembly = Path.Combine(Repository.Root, project, "bin", configuration, framework, project + ".dll");
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"{assembly} is not built; the test project references {project}, so building the tests builds it.", assembly);
        }

        return assembly;
    }

    /// <summary>Waits for it to exit by itself; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"It did not exit within {deadline.TotalSeconds} s:\n{Output}");
        }

        _process.WaitForExit(); // drains the output
        return _process.ExitCode;
    }

    /// <summary>Waits until its <c>/health</c> answers 200.</summary>
    public Task WaitHealthyAsync(TimeSpan deadline) =>
        Eventually.TrueAsync(
            async () =>
            {
                Assert.False(_process.HasExited, $"The service exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
                try
                {
                    using var response = await Http.GetAsync(new Uri("/health", UriKind.Relative));
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            deadline,
            $"The service did not become healthy:\n{Output}");

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed or committed.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        Http.Dispose();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

/// <summary>The repository the tests run from.</summary>
public static class Repository
{
    /// <summary>The directory holding KafkaDemo.slnx, above the test's output directory.</summary>
    public static string Root
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "KafkaDemo.slnx")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("KafkaDemo.slnx not found above the test directory.");
        }
    }
}
