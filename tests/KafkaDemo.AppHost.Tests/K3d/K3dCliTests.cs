using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Modes;
using KafkaDemo.AppHost.Settings;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>The docker and k3d checks, and how auto mode chooses, against a scripted docker and k3d.</summary>
public sealed class K3dCliTests
{
    private readonly FakeDockerAndK3d _tools = new();

    private K3dCli Cli => new(_tools, new K3dSettings());

    [Fact]
    public async Task Auto_runs_k3d_when_docker_and_k3d_both_work()
    {
        var decision = await ModeResolver.ResolveAsync(DemoMode.Auto, Cli, TestContext.Current.CancellationToken);

        Assert.Equal(DemoMode.K3d, decision.Mode);
        Assert.Contains("Docker 28.2.2 and k3d v5.9.0 work", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_runs_embedded_when_docker_is_not_running_and_says_so()
    {
        _tools.DockerRunning = false;

        var decision = await ModeResolver.ResolveAsync(DemoMode.Auto, Cli, TestContext.Current.CancellationToken);

        Assert.Equal(DemoMode.Embedded, decision.Mode);
        Assert.Contains("Docker is not running: Cannot connect to the Docker daemon", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_runs_embedded_when_k3d_is_missing_and_says_so()
    {
        _tools.K3dVersion = null;

        var decision = await ModeResolver.ResolveAsync(DemoMode.Auto, Cli, TestContext.Current.CancellationToken);

        Assert.Equal(DemoMode.Embedded, decision.Mode);
        Assert.Contains("k3d not found on PATH", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_explicit_mode_runs_no_tool()
    {
        var decision = await ModeResolver.ResolveAsync(DemoMode.K3d, Cli, TestContext.Current.CancellationToken);

        Assert.Equal(DemoMode.K3d, decision.Mode);
        Assert.Empty(_tools.Calls);
    }

    [Theory]
    [InlineData("v5.6.3", "k3d v5.6.3 is too old")]
    [InlineData("v4.4.8", "k3d v4.4.8 is too old")]
    public async Task An_old_k3d_is_refused_with_the_version_needed(string version, string expected)
    {
        _tools.K3dVersion = version;

        var error = await Assert.ThrowsAsync<K3dSetupException>(() => Cli.K3dVersionAsync(TestContext.Current.CancellationToken));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("5.7 or later", error.Message, StringComparison.Ordinal);
        Assert.Contains("https://k3d.io", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_docker_names_the_install_and_the_embedded_alternative()
    {
        _tools.DockerInstalled = false;

        var error = await Assert.ThrowsAsync<K3dSetupException>(() => Cli.DockerInfoAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Docker is not installed", error.Cause, StringComparison.Ordinal);
        Assert.Contains("KafkaDemo:Mode=embedded", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cluster_list_tells_running_from_stopped_clusters()
    {
        _tools.AddCluster("kafkademo", running: false);
        _tools.AddCluster("other", running: true);

        var cluster = await Cli.FindClusterAsync("kafkademo", TestContext.Current.CancellationToken);

        Assert.NotNull(cluster);
        Assert.False(cluster.Running);
        Assert.True((await Cli.FindClusterAsync("other", TestContext.Current.CancellationToken))!.Running);
        Assert.Null(await Cli.FindClusterAsync("absent", TestContext.Current.CancellationToken));
    }
}
