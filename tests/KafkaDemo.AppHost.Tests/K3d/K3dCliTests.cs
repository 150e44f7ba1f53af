using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Lifecycle;
using KafkaDemo.AppHost.Modes;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Tools;

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
    public async Task Placement_cluster_needs_Docker_and_says_what_else_runs()
    {
        _tools.DockerRunning = false;

        var error = await Assert.ThrowsAsync<ClusterSetupException>(() => ModeResolver.CheckPlacementAsync(LoadPlacement.Cluster, Cli, TestContext.Current.CancellationToken));

        Assert.StartsWith("KafkaDemo:Placement=cluster builds the producer and consumer images with Docker and imports them with k3d: Docker is not running: Cannot connect to the Docker daemon", error.Cause, StringComparison.Ordinal);
        Assert.Contains("KafkaDemo:Mode=embedded", error.Fix, StringComparison.Ordinal);
        Assert.Contains("KafkaDemo:Placement=host", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Placement_cluster_needs_k3d_too()
    {
        _tools.K3dVersion = null;

        var error = await Assert.ThrowsAsync<ClusterSetupException>(() => ModeResolver.CheckPlacementAsync(LoadPlacement.Cluster, Cli, TestContext.Current.CancellationToken));

        Assert.EndsWith("imports them with k3d: k3d not found on PATH.", error.Cause, StringComparison.Ordinal);
        Assert.Contains("https://k3d.io/#installation", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Placement_host_checks_nothing()
    {
        _tools.DockerRunning = false;

        await ModeResolver.CheckPlacementAsync(LoadPlacement.Host, Cli, TestContext.Current.CancellationToken);

        Assert.Empty(_tools.Calls);
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

        var error = await Assert.ThrowsAsync<ClusterSetupException>(() => Cli.K3dVersionAsync(TestContext.Current.CancellationToken));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("5.7 or later", error.Message, StringComparison.Ordinal);
        Assert.Contains("https://k3d.io", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_docker_names_the_install_and_the_embedded_alternative()
    {
        _tools.DockerInstalled = false;

        var error = await Assert.ThrowsAsync<ClusterSetupException>(() => Cli.DockerInfoAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Docker is not installed", error.Cause, StringComparison.Ordinal);
        Assert.Contains("KafkaDemo:Mode=embedded", error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\u001b[36mINFO\u001b[0m[0000] Created network 'k3d-kafkademo'", "INFO[0000] Created network 'k3d-kafkademo'")] // logrus ForceColors
    [InlineData("\u001b[1;31mERROR:\u001b[0m failed to solve", "ERROR: failed to solve")]
    [InlineData("\u001b[38;5;208morange\u001b[39m and \u001b[48;2;10;20;30mtrue colour\u001b[m", "orange and true colour")]
    [InlineData("\u001b]8;;https://k3d.io\u0007k3d\u001b]8;;\u0007 docs", "k3d docs")] // OSC 8 hyperlink, BEL-terminated
    [InlineData("\u001b]0;title\u001b\\text", "text")] // OSC ended by ST
    [InlineData("\u001b[2K\u001b[1Gprogress", "progress")] // erase line, cursor to column 1
    [InlineData("\u009b31mC1 CSI\u009b0m", "C1 CSI")]
    [InlineData("a trailing lone escape \u001b", "a trailing lone escape ")]
    [InlineData("plain: [brackets] and 100% \\ kept", "plain: [brackets] and 100% \\ kept")]
    [InlineData("", "")]
    public void Escape_sequences_are_stripped_and_nothing_else(string line, string expected) =>
        Assert.Equal(expected, TerminalText.StripEscapes(line));

    [Theory]
    // LOG_COLORS=false: logrus's key=value lines (text_formatter.go Format, appendValue: %q when needed).
    [InlineData("time=\"2026-11-30T06:00:00Z\" level=info msg=\"Created network 'k3d-kafkademo'\"", "INFO", "Created network 'k3d-kafkademo'")]
    [InlineData("time=\"2026-11-30T06:00:00Z\" level=fatal msg=\"failed: \\\"quoted\\\" \\\\ path\\nnext\"", "FATA", "failed: \"quoted\" \\ path\nnext")]
    [InlineData("time=\"2026-11-30T06:00:00Z\" level=warning msg=Done", "WARN", "Done")]
    [InlineData("time=\"2026-11-30T06:00:00Z\" level=error msg=\"x\" node=k3d-a-server-0", "ERRO", "x node=k3d-a-server-0")]
    // Colours (stripped first): the level's four letters, seconds, the message padded to 44 columns.
    [InlineData("\u001b[31mFATA\u001b[0m[0003] No nodes found for given cluster                 ", "FATA", "No nodes found for given cluster")]
    [InlineData("INFO[0000] Deleting cluster 'kafkademo'", "INFO", "Deleting cluster 'kafkademo'")]
    public void A_k3d_log_line_is_read_with_and_without_colours(string line, string level, string message)
    {
        var parsed = K3dLogLine.Parse(line);

        Assert.NotNull(parsed);
        Assert.Equal(level, parsed.Level);
        Assert.Equal(message, parsed.Message);
        Assert.Equal(level is "ERRO" or "FATA", parsed.IsError);
    }

    [Theory]
    [InlineData("export KUBECONFIG=$(k3d kubeconfig write kafkademo)")]
    [InlineData("apiVersion: v1")]
    [InlineData("[{\"name\":\"kafkademo\"}]")]
    public void Other_output_is_no_log_line(string line) => Assert.Null(K3dLogLine.Parse(line));

    [Fact]
    public async Task Every_k3d_command_runs_without_colours_at_info_level_whatever_the_AppHost_inherited()
    {
        // A user's shell: colours forced and debug logging, which puts "Runtime Info" lines on stdout.
        _tools.InheritedEnvironment["LOG_COLORS"] = "true";
        _tools.InheritedEnvironment["LOG_LEVEL"] = "debug";
        _tools.Kubeconfig = "apiVersion: v1\nkind: Config\n";
        var lines = new List<string>();
        var cli = Cli;
        var config = Path.Combine(Path.GetTempPath(), $"kafkademo-k3d-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(config, "apiVersion: k3d.io/v1alpha5\nkind: Simple\nmetadata:\n  name: kafkademo\n", TestContext.Current.CancellationToken);
        try
        {
            await cli.CreateClusterAsync(config, lines.Add, TestContext.Current.CancellationToken);
        }
        finally
        {
            File.Delete(config);
        }

        var found = await cli.FindClusterAsync("kafkademo", TestContext.Current.CancellationToken);
        var kubeconfig = await cli.KubeconfigAsync("kafkademo", TestContext.Current.CancellationToken);
        await cli.DeleteClusterAsync("kafkademo", lines.Add, TestContext.Current.CancellationToken);

        Assert.NotNull(found); // the JSON parsed: no debug line on stdout
        Assert.Equal("---\napiVersion: v1\nkind: Config\n", kubeconfig);
        Assert.All(_tools.Runs.Where(r => r.CommandLine.StartsWith("k3d ", StringComparison.Ordinal)), r =>
        {
            Assert.Equal("false", r.Environment["LOG_COLORS"]);
            Assert.Equal("info", r.Environment["LOG_LEVEL"]);
        });
        Assert.Contains("INFO Created network 'k3d-kafkademo'", lines);
        Assert.Contains("INFO Successfully deleted cluster kafkademo!", lines);
        Assert.Contains("export KUBECONFIG=$(k3d kubeconfig write kafkademo)", lines);
        Assert.DoesNotContain(lines, l => l.Contains('\u001b', StringComparison.Ordinal) || l.Contains("Runtime Info", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_scripted_k3d_writes_colours_and_debug_lines_when_not_told_otherwise_so_a_forgotten_variable_fails()
    {
        _tools.InheritedEnvironment["LOG_LEVEL"] = "debug";
        _tools.AddCluster("kafkademo", running: true);

        var result = await _tools.RunAsync(new ProcessRequest("k3d", ["cluster", "delete", "kafkademo"], TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);
        var list = await _tools.RunAsync(new ProcessRequest("k3d", ["cluster", "list", "-o", "json"], TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);

        Assert.Contains("\u001b[36mINFO\u001b[0m[0000] Deleting cluster 'kafkademo'", result.StandardOutput, StringComparison.Ordinal);
        Assert.StartsWith("\u001b[37mDEBU\u001b[0m[0000] Runtime Info:", list.StandardOutput, StringComparison.Ordinal);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => System.Text.Json.JsonDocument.Parse(list.StandardOutput));
    }

    [Fact]
    public async Task A_k3d_failure_names_its_error_not_the_warning_after_it_and_carries_no_escape_codes()
    {
        _tools.InheritedEnvironment["LOG_COLORS"] = "1";

        var error = await Assert.ThrowsAsync<ClusterSetupException>(() => Cli.ImportImageAsync("kafkademo-vibectl:absent", "kafkademo", _ => { }, TestContext.Current.CancellationToken));
        var missing = await Assert.ThrowsAsync<ClusterSetupException>(() => Cli.KubeconfigAsync("absent", TestContext.Current.CancellationToken));

        // cmd/image/imageImport.go: the Errorf, then "At least one error occured", a warning, last.
        Assert.Equal("'k3d image import kafkademo-vibectl:absent' failed: Failed to import image(s) into cluster 'kafkademo': failed to find images: no valid images specified", error.Cause);
        Assert.Equal("'k3d kubeconfig get absent' failed: No nodes found for given cluster", missing.Cause);
    }

    [Fact]
    public async Task The_agent_image_is_built_with_BuildKit_and_loaded_whatever_builder_or_DOCKER_BUILDKIT_the_user_has()
    {
        _tools.InheritedEnvironment["DOCKER_BUILDKIT"] = "0";
        _tools.BuilderDriver = "docker-container";
        var context = Directory.CreateTempSubdirectory("kafkademo-build-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(context.FullName, "Dockerfile"), "FROM python:3.12.10-slim-bookworm\nADD --chmod=755 https://example.invalid/x /x\n", TestContext.Current.CancellationToken);
            var lines = new List<string>();

            await Cli.BuildImageAsync("kafkademo-vibectl:0123456789abcdef", context.FullName, null, "python", lines.Add, TestContext.Current.CancellationToken);

            Assert.True(await Cli.ImageExistsAsync("kafkademo-vibectl:0123456789abcdef", TestContext.Current.CancellationToken));
            var build = Assert.Single(_tools.Runs, r => r.CommandLine.StartsWith("docker build ", StringComparison.Ordinal));
            Assert.Equal("1", build.Environment["DOCKER_BUILDKIT"]);
            Assert.Contains(" --load ", build.CommandLine, StringComparison.Ordinal);
            Assert.Contains("#9 naming to docker.io/library/kafkademo-vibectl:0123456789abcdef done", lines);

            // The scripted docker is strict both ways: without --load the image stays in the build
            // cache, and the legacy builder (DOCKER_BUILDKIT=0) refuses --load and ADD --chmod.
            var cacheOnly = await _tools.RunAsync(new ProcessRequest("docker", ["build", "--tag", "x:1", context.FullName], TimeSpan.FromSeconds(5), null,
                new Dictionary<string, string> { ["DOCKER_BUILDKIT"] = "1" }), TestContext.Current.CancellationToken);
            Assert.Contains("Build result will only remain in the build cache", cacheOnly.StandardError, StringComparison.Ordinal);
            Assert.DoesNotContain("x:1", _tools.Images);
            var legacy = await _tools.RunAsync(new ProcessRequest("docker", ["build", "--load", "--tag", "x:2", context.FullName], TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);
            Assert.Equal(125, legacy.ExitCode);
            var legacyNoLoad = await _tools.RunAsync(new ProcessRequest("docker", ["build", "--tag", "x:3", context.FullName], TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);
            Assert.Contains("the --chmod option requires BuildKit", legacyNoLoad.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            context.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Without_the_buildx_plugin_the_build_fails_saying_BuildKit_is_needed()
    {
        _tools.BuildxInstalled = false;
        var context = Directory.CreateTempSubdirectory("kafkademo-build-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(context.FullName, "Dockerfile"), "FROM scratch\n", TestContext.Current.CancellationToken);

            var error = await Assert.ThrowsAsync<ClusterSetupException>(() => Cli.BuildImageAsync("kafkademo-vibectl:0123456789abcdef", context.FullName, null, "python", _ => { }, TestContext.Current.CancellationToken));

            Assert.Contains("needs BuildKit through Docker's buildx plugin", error.Cause, StringComparison.Ordinal);
            Assert.Contains("ERROR: BuildKit is enabled but the buildx component is missing or broken.", error.Cause, StringComparison.Ordinal);
            Assert.Contains("docker-buildx-plugin", error.Fix, StringComparison.Ordinal);
        }
        finally
        {
            context.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Tagging_an_image_docker_does_not_have_fails_with_the_daemons_message()
    {
        var error = await Assert.ThrowsAsync<ClusterSetupException>(() => Cli.TagImageAsync("kafkademo-producer:0123", "registry.example.com/kafkademo/kafkademo-producer:0123", TestContext.Current.CancellationToken));

        Assert.Equal("'docker tag kafkademo-producer:0123 registry.example.com/kafkademo/kafkademo-producer:0123' failed: Error response from daemon: No such image: kafkademo-producer:0123", error.Cause);
    }

    [Fact]
    public async Task A_tag_that_is_no_valid_reference_fails_before_the_daemon_is_asked()
    {
        _tools.Images.Add("kafkademo-producer:0123");

        var error = await Assert.ThrowsAsync<ClusterSetupException>(() => Cli.TagImageAsync("kafkademo-producer:0123", "registry.example.com/KafkaDemo/kafkademo-producer:0123", TestContext.Current.CancellationToken));

        Assert.Contains("error parsing reference: \"registry.example.com/KafkaDemo/kafkademo-producer:0123\" is not a valid repository/tag: invalid reference format", error.Cause, StringComparison.Ordinal);
        Assert.DoesNotContain("registry.example.com/KafkaDemo/kafkademo-producer:0123", _tools.Images);
    }

    [Fact]
    public async Task A_tagged_image_is_pushed_and_a_refusing_registry_fails_the_push_with_its_message_and_the_fix()
    {
        _tools.Images.Add("kafkademo-producer:0123");
        await Cli.TagImageAsync("kafkademo-producer:0123", "registry.example.com/kafkademo/kafkademo-producer:0123", TestContext.Current.CancellationToken);
        var lines = new List<string>();

        await Cli.PushImageAsync("registry.example.com/kafkademo/kafkademo-producer:0123", lines.Add, TestContext.Current.CancellationToken);

        Assert.Equal("The push refers to repository [registry.example.com/kafkademo/kafkademo-producer]", lines[0]);
        Assert.Equal(["registry.example.com/kafkademo/kafkademo-producer:0123"], _tools.Pushed);

        _tools.DeniedRegistries.Add("registry.example.com");
        var error = await Assert.ThrowsAsync<ClusterSetupException>(() => Cli.PushImageAsync("registry.example.com/kafkademo/kafkademo-producer:0123", _ => { }, TestContext.Current.CancellationToken));
        Assert.Equal("'docker push registry.example.com/kafkademo/kafkademo-producer:0123' failed: denied: requested access to the resource is denied", error.Cause);
        Assert.Contains("docker login", error.Fix, StringComparison.Ordinal);
        Assert.Single(_tools.Pushed);
    }

    [Fact]
    public async Task Pushing_a_reference_docker_does_not_have_fails_naming_it()
    {
        var error = await Assert.ThrowsAsync<ClusterSetupException>(() => Cli.PushImageAsync("registry.example.com/kafkademo/kafkademo-producer:0123", _ => { }, TestContext.Current.CancellationToken));

        Assert.Equal("'docker push registry.example.com/kafkademo/kafkademo-producer:0123' failed: An image does not exist locally with the tag: registry.example.com/kafkademo/kafkademo-producer", error.Cause);
        Assert.Empty(_tools.Pushed);
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
