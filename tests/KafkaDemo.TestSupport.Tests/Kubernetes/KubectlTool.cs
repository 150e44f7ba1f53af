namespace KafkaDemo.TestSupport.Tests.Kubernetes;

/// <summary>The machine's kubectl (a v1.32 client), run against a fake through the kubeconfig it wrote.</summary>
internal static class KubectlTool
{
    /// <summary>kubectl's path; the test is skipped, saying why, when it is not installed.</summary>
    public static string Find()
    {
        var kubectl = ExternalTool.Find("kubectl");
        Assert.SkipWhen(kubectl is null, "kubectl is not installed (a v1.32 client is expected at /usr/bin/kubectl).");
        return kubectl!;
    }

    /// <summary>The fake's kubeconfig and a cache directory of the test's own, then <paramref name="arguments"/>.</summary>
    public static string[] Arguments(FakeCluster cluster, params string[] arguments) =>
        ["--kubeconfig", cluster.KubeconfigPath, "--cache-dir", Path.Combine(Path.GetDirectoryName(cluster.KubeconfigPath)!, "cache"), .. arguments];

    /// <summary>Runs kubectl, requires exit code 0 and returns its output without the final newline.</summary>
    public static async Task<string> RunAsync(string kubectl, FakeCluster cluster, params string[] arguments)
    {
        var (exitCode, output, error) = await ExternalTool.RunAsync(kubectl, Arguments(cluster, arguments));
        Assert.True(exitCode == 0, $"kubectl {string.Join(' ', arguments)} exited with {exitCode}: {error}");
        return output.TrimEnd('\n');
    }

    /// <summary>Runs kubectl, requires it to fail, and returns what it printed on stderr without the final newline.</summary>
    public static async Task<string> FailAsync(string kubectl, FakeCluster cluster, params string[] arguments)
    {
        var (exitCode, _, error) = await ExternalTool.RunAsync(kubectl, Arguments(cluster, arguments));
        Assert.True(exitCode != 0, $"kubectl {string.Join(' ', arguments)} succeeded; it was expected to fail.");
        return error.TrimEnd('\n');
    }
}
