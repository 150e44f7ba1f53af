using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using KafkaDemo.AppHost.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace KafkaDemo.AppHost.Tests;

/// <summary>The application model the AppHost builds, inspected without starting anything.</summary>
public sealed class ModelTests
{
    [Fact]
    public async Task No_resource_asks_for_a_development_certificate_so_the_dashboard_shows_no_certificate_banner()
    {
        await using var builder = await TestApp.CreateAsync("--KafkaDemo:Producers=2", "--KafkaDemo:Consumers=2");

        var projects = builder.Resources.OfType<ProjectResource>().Select(p => p.Name).Order().ToList();
        Assert.Equal(["consumer-1", "consumer-2", "kafka-embedded", "overseer", "producer-1", "producer-2"], projects);
        Assert.Empty(builder.Resources.Where(UsesTls).Select(r => r.Name));
    }

    [Fact]
    public void A_project_added_as_Aspire_adds_it_would_ask_for_one_so_the_check_above_can_fail()
    {
        var builder = DistributedApplication.CreateBuilder();

        var overseer = builder.AddProject<Projects.KafkaDemo_Overseer>("overseer").Resource;

        Assert.True(UsesTls(overseer));
    }

    /// <summary>
    /// Whether Aspire 13.6 counts the resource as using TLS, and so checks for a trusted development
    /// certificate at start (warning and dashboard banner when there is none): an https endpoint, or a
    /// certificate callback not switched off by a certificate-free HttpsCertificateAnnotation
    /// (Aspire.Hosting DcpHost.ResourceUsesTls, read by EnsureDevelopmentCertificateTrustAsync).
    /// </summary>
#pragma warning disable ASPIRECERTIFICATES001 // the annotations are experimental in 13.6
    private static bool UsesTls(IResource resource) =>
        resource.Annotations.OfType<EndpointAnnotation>().Any(e => e.UriScheme == "https")
        || (resource.Annotations.OfType<HttpsCertificateConfigurationCallbackAnnotation>().Any()
            && resource.Annotations.OfType<HttpsCertificateAnnotation>().LastOrDefault() is not { UseDeveloperCertificate: false or null, Certificate: null });
#pragma warning restore ASPIRECERTIFICATES001

    [Fact]
    public async Task Embedded_mode_runs_the_broker_and_wires_producer_and_consumer_to_it()
    {
        await using var builder = await TestApp.CreateAsync();

        var names = builder.Resources.Select(r => r.Name).ToList();
        Assert.Contains("kafka-embedded", names);
        Assert.Contains("kafka", names);
        Assert.Contains("producer", names);
        Assert.Contains("consumer", names);
        Assert.Contains("hmac-secret", names);
        Assert.Contains("control-token", names);
        Assert.Contains("overseer", names);
    }

    [Fact]
    public async Task The_overseer_polls_every_producer_and_consumer_and_waits_for_them()
    {
        await using var builder = await TestApp.CreateAsync("--KafkaDemo:Producers=2", "--KafkaDemo:Consumers=3");
        var overseer = builder.Resources.Single(r => r.Name == "overseer");
        var environment = await ResourceEnvironment.ReadAsync(overseer);

        Assert.Equal("http://producer-1", environment["Overseer__Producers__0"]);
        Assert.Equal("http://producer-2", environment["Overseer__Producers__1"]);
        Assert.Equal("http://consumer-3", environment["Overseer__Consumers__2"]);
        Assert.Contains("Overseer__EmbeddedKafka", environment.Keys);
        var waits = overseer.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).ToList();
        Assert.Equal(["consumer-1", "consumer-2", "consumer-3", "producer-1", "producer-2"], waits.Order());
    }

    [Fact]
    public async Task The_dashboard_commands_are_on_the_overseer_and_the_embedded_kafka()
    {
        await using var builder = await TestApp.CreateAsync();

        static IEnumerable<string> Commands(IResource r) => r.Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name);

        var overseer = Commands(builder.Resources.Single(r => r.Name == "overseer")).ToList();
        Assert.Contains("pause-load", overseer);
        Assert.Contains("resume-load", overseer);
        Assert.Contains("controller-on", overseer);
        Assert.Contains("controller-off", overseer);
        var broker = Commands(builder.Resources.Single(r => r.Name == "kafka-embedded")).ToList();
        Assert.Contains("add-latency", broker);
        Assert.Contains("broker-down", broker);
        Assert.Contains("clear-faults", broker);
    }

    [Fact]
    public async Task Replicas_split_the_starting_rate_and_only_the_first_takes_the_fixed_port()
    {
        await using var builder = await TestApp.CreateAsync("--KafkaDemo:Producers=2", "--KafkaDemo:Rate=3000", "--KafkaDemo:Ports:Producer=45201");
        var first = builder.Resources.Single(r => r.Name == "producer-1");
        var second = builder.Resources.Single(r => r.Name == "producer-2");

        Assert.Equal("1500", (await ResourceEnvironment.ReadAsync(first))["Producer__Rate"]);
        Assert.Equal("producer-2", (await ResourceEnvironment.ReadAsync(second))["Producer__InstanceId"]);
        Assert.Equal(45201, first.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http").Port);
        Assert.Null(second.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http").Port);
    }

    [Fact]
    public async Task Every_service_runs_with_the_memory_settings()
    {
        await using var builder = await TestApp.CreateAsync("--KafkaDemo:Producers=2");
        var projects = builder.Resources.OfType<ProjectResource>().ToList();

        Assert.Equal(["consumer", "kafka-embedded", "overseer", "producer-1", "producer-2"], projects.Select(p => p.Name).Order());
        foreach (var project in projects)
        {
            var environment = await ResourceEnvironment.ReadAsync(project);
            Assert.Equal(ServiceMemoryExtensions.MallocArenaMax, environment["MALLOC_ARENA_MAX"]);
            Assert.Equal(ServiceMemoryExtensions.Gen0Size, environment["DOTNET_GCgen0size"]);
        }
    }

    [Fact]
    public async Task Only_the_producer_and_the_consumer_receive_the_secret()
    {
        await using var builder = await TestApp.CreateAsync();

        foreach (var resource in builder.Resources.OfType<IResourceWithEnvironment>())
        {
            var environment = await ResourceEnvironment.ReadAsync(resource);
            var boundToSecret = environment.Where(v => v.Value is ParameterResource { Name: "hmac-secret" }).Select(v => v.Key).ToList();
            if (resource.Name is "producer" or "consumer")
            {
                Assert.Equal(["Messaging__HmacSecret"], boundToSecret);
                Assert.Contains("ConnectionStrings__kafka", environment.Keys);
            }
            else
            {
                Assert.Empty(boundToSecret);
            }
        }
    }

    [Fact]
    public async Task The_control_token_goes_to_every_service_with_control_endpoints_and_to_no_other()
    {
        await using var builder = await TestApp.CreateAsync("--KafkaDemo:Producers=2");

        var token = builder.Resources.OfType<ParameterResource>().Single(p => p.Name == "control-token");
        Assert.True(token.Secret);
        var holders = new List<string>();
        foreach (var resource in builder.Resources.OfType<IResourceWithEnvironment>())
        {
            var environment = await ResourceEnvironment.ReadAsync(resource);
            var bound = environment.Where(v => v.Value is ParameterResource { Name: "control-token" }).Select(v => v.Key).ToList();
            if (bound.Count > 0)
            {
                Assert.Equal(["Control__Token"], bound);
                holders.Add(resource.Name);
            }
        }

        Assert.Equal(["kafka-embedded", "overseer", "producer-1", "producer-2"], holders.Order());
    }

    [Fact]
    public async Task The_producer_waits_for_the_consumer_and_both_wait_for_kafka_which_waits_for_the_broker()
    {
        await using var builder = await TestApp.CreateAsync();
        var producer = builder.Resources.Single(r => r.Name == "producer");
        var consumer = builder.Resources.Single(r => r.Name == "consumer");

        static IEnumerable<string> WaitsFor(IResource r) =>
            r.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name);

        Assert.Contains("consumer", WaitsFor(producer));
        Assert.Contains("kafka", WaitsFor(producer));
        Assert.Contains("kafka", WaitsFor(consumer));
        Assert.Contains("kafka-embedded", WaitsFor(builder.Resources.Single(r => r.Name == "kafka")));
    }

    [Fact]
    public async Task The_fixed_ports_come_from_configuration()
    {
        await using var builder = await TestApp.CreateAsync("--KafkaDemo:Ports:Producer=45101");
        var producer = (IResourceWithEndpoints)builder.Resources.Single(r => r.Name == "producer");

        var http = producer.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http");
        Assert.Equal(45101, http.Port);
    }

    [Fact]
    public async Task K3d_mode_has_a_cluster_resource_and_kafka_in_it_and_no_embedded_broker()
    {
        await using var builder = await TestApp.CreateAsync("--KafkaDemo:Mode=k3d");

        Assert.DoesNotContain(builder.Resources, r => r.Name == "kafka-embedded");
        var cluster = builder.Resources.Single(r => r.Name == "k3d");
        var kafka = builder.Resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == "kafka");
        Assert.Contains("k3d", kafka.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name));
        Assert.Equal("k3d", kafka.Annotations.OfType<ResourceRelationshipAnnotation>().Single(r => r.Type == "Parent").Resource.Name);
        Assert.Equal(["delete-cluster", "recreate-cluster"], cluster.Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name).Order());
        Assert.Contains("restart-brokers", kafka.Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name));
        foreach (var service in new[] { "producer", "consumer" })
        {
            var resource = builder.Resources.Single(r => r.Name == service);
            Assert.Contains("kafka", resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name));
            Assert.Contains("ConnectionStrings__kafka", (await ResourceEnvironment.ReadAsync(resource)).Keys);
        }
    }

    [Fact]
    public async Task In_k3d_mode_WaitFor_orders_the_custom_resources_and_each_has_its_own_health_check()
    {
        await using var builder = await TestApp.CreateAsync("--KafkaDemo:Mode=k3d");

        static WaitAnnotation WaitOn(IResource r, string name) => Assert.Single(r.Annotations.OfType<WaitAnnotation>(), w => w.Resource.Name == name);

        var k3d = builder.Resources.Single(r => r.Name == "k3d");
        var kafka = builder.Resources.Single(r => r.Name == "kafka");
        var agent = builder.Resources.Single(r => r.Name == "vibectl");
        Assert.Empty(k3d.Annotations.OfType<WaitAnnotation>());
        Assert.Equal((WaitType.WaitUntilHealthy, WaitBehavior.StopOnResourceUnavailable), (WaitOn(kafka, "k3d").WaitType, WaitOn(kafka, "k3d").WaitBehavior));
        Assert.Equal((WaitType.WaitUntilHealthy, WaitBehavior.WaitOnResourceUnavailable), (WaitOn(agent, "kafka").WaitType, WaitOn(agent, "kafka").WaitBehavior));
        Assert.Equal(["kafka"], agent.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name));

        await using var app = await builder.BuildAsync(TestContext.Current.CancellationToken);
        var registered = app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name).ToList();
        foreach (var resource in new[] { k3d, kafka, agent })
        {
            var check = Assert.Single(resource.Annotations.OfType<HealthCheckAnnotation>());
            Assert.Equal($"{resource.Name}_check", check.Key);
            Assert.Contains(check.Key, registered);
            Assert.Contains(resource.Annotations.OfType<ManifestPublishingCallbackAnnotation>(), a => a.Callback is null);
        }
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("external")]
    public async Task Kafka_has_its_health_check_and_stays_out_of_the_manifest_in_every_mode(string mode)
    {
        await using var builder = mode == "embedded"
            ? await TestApp.CreateAsync()
            : await TestApp.CreateInModeAsync(mode, "--ConnectionStrings:kafka=broker-a:9092");

        var kafka = builder.Resources.Single(r => r.Name == "kafka");
        Assert.Equal("kafka_check", Assert.Single(kafka.Annotations.OfType<HealthCheckAnnotation>()).Key);
        Assert.Contains(kafka.Annotations.OfType<ManifestPublishingCallbackAnnotation>(), a => a.Callback is null);
        Assert.Equal(mode == "embedded" ? ["kafka-embedded"] : [], kafka.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name));
    }

    [Fact]
    public async Task No_resource_is_registered_in_dependency_injection()
    {
        await using var builder = await TestApp.CreateAsync("--KafkaDemo:Mode=k3d");

        Assert.DoesNotContain(builder.Services, d => typeof(IResource).IsAssignableFrom(d.ServiceType));
    }

    [Fact]
    public async Task With_the_load_in_the_cluster_consumers_may_not_outnumber_the_partitions()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.CreateInModeAsync("k3d", "--KafkaDemo:Placement=cluster", "--KafkaDemo:Consumers=7"));

        Assert.Contains("KafkaDemo:Consumers (7) cannot exceed KafkaDemo:Partitions (6) with KafkaDemo:Placement=cluster", Flatten(error), StringComparison.Ordinal);
        await using var host = await TestApp.CreateInModeAsync("k3d", "--KafkaDemo:Consumers=7");
        Assert.Contains(host.Resources, r => r.Name == "consumer-7");
    }

    [Fact]
    public async Task With_the_load_in_the_cluster_each_Deployment_is_a_resource_that_waits_for_kafka_with_its_health_check()
    {
        await using var builder = await TestApp.CreateInModeAsync("k3d", "--KafkaDemo:Placement=cluster", "--KafkaDemo:Producers=2", "--KafkaDemo:Consumers=3");

        Assert.DoesNotContain(builder.Resources.OfType<ProjectResource>(), p => p.Name.StartsWith("producer", StringComparison.Ordinal) || p.Name.StartsWith("consumer", StringComparison.Ordinal));
        var deployments = builder.Resources.OfType<KafkaDemo.AppHost.Placement.ClusterDeploymentResource>().OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["consumer", "producer"], deployments.Select(d => d.Name));
        Assert.Equal((3, 6), (deployments[0].Spec.Replicas, deployments[0].Spec.MaxReplicas));
        Assert.Equal(2, deployments[1].Spec.Replicas);
        Assert.Equal(1000, deployments[1].Spec.Load.RatePerProducer);

        await using var app = await builder.BuildAsync(TestContext.Current.CancellationToken);
        var registered = app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name).ToList();
        foreach (var deployment in deployments)
        {
            var wait = Assert.Single(deployment.Annotations.OfType<WaitAnnotation>());
            Assert.Equal(("kafka", WaitType.WaitUntilHealthy, WaitBehavior.WaitOnResourceUnavailable), (wait.Resource.Name, wait.WaitType, wait.WaitBehavior));
            Assert.Equal("k3d", deployment.Annotations.OfType<ResourceRelationshipAnnotation>().Single(r => r.Type == "Parent").Resource.Name);
            var check = Assert.Single(deployment.Annotations.OfType<HealthCheckAnnotation>());
            Assert.Equal($"{deployment.Name}_check", check.Key);
            Assert.Contains(check.Key, registered);
            Assert.Contains(deployment.Annotations.OfType<ManifestPublishingCallbackAnnotation>(), a => a.Callback is null);
            Assert.Equal(["scale", "scale-down", "scale-up"], deployment.Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name).Order());
        }

        var overseer = builder.Resources.Single(r => r.Name == "overseer");
        Assert.Equal(["consumer", "producer"], overseer.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).Order());
        var environment = await ResourceEnvironment.ReadAsync(overseer);
        Assert.Equal("Kubernetes", environment["Overseer__Discovery__Source"]);
        Assert.Equal("PodProxy", environment["Overseer__Discovery__Route"]);
        Assert.Contains("Overseer__Cluster__Kubeconfig", environment.Keys);
        Assert.DoesNotContain(environment.Keys, k => k.StartsWith("Overseer__Producers__", StringComparison.Ordinal) || k.StartsWith("Overseer__Consumers__", StringComparison.Ordinal));
        Assert.DoesNotContain(builder.Services, d => typeof(IResource).IsAssignableFrom(d.ServiceType));
    }

    [Fact]
    public async Task External_mode_without_a_connection_string_says_which_key_to_set()
    {
        // A settings error, so the AppHost reports it as one plain line (StartUpFailure), not a stack trace.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.CreateAsync("--KafkaDemo:Mode=external"));
        Assert.True(StartUpFailure.IsKnown(error), Flatten(error));
        Assert.Contains("ConnectionStrings:kafka", Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task External_mode_uses_the_given_cluster_and_runs_no_broker()
    {
        await using var builder = await TestApp.CreateAsync("--KafkaDemo:Mode=external", "--ConnectionStrings:kafka=broker-a:9092,broker-b:9092");

        Assert.DoesNotContain(builder.Resources, r => r.Name == "kafka-embedded");
        var kafka = builder.Resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == "kafka");
        Assert.Equal("broker-a:9092,broker-b:9092", await kafka.GetConnectionStringAsync(TestContext.Current.CancellationToken));
        var consumer = builder.Resources.Single(r => r.Name == "consumer");
        Assert.Contains("ConnectionStrings__kafka", (await ResourceEnvironment.ReadAsync(consumer)).Keys);
    }

    [Fact]
    public async Task Embedded_mode_connects_everything_to_all_three_fixed_broker_ports()
    {
        await using var builder = await TestApp.CreateAsync("--KafkaDemo:Embedded:Port=41092");
        var kafka = builder.Resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == "kafka");

        Assert.Equal("127.0.0.1:41092,127.0.0.1:41093,127.0.0.1:41094", await kafka.GetConnectionStringAsync(TestContext.Current.CancellationToken));
        var broker = builder.Resources.Single(r => r.Name == "kafka-embedded");
        var environment = await ResourceEnvironment.ReadAsync(broker);
        Assert.Equal("41092", environment["EmbeddedKafka__Port"]);
    }

    [Theory]
    [InlineData("--KafkaDemo:Mode=sideways", "KafkaDemo:Mode must be auto, embedded, k3d or external")]
    [InlineData("--KafkaDemo:Topics=bad topic", "KafkaDemo:Topics")]
    [InlineData("--KafkaDemo:ReplicationFactor=5", "KafkaDemo:ReplicationFactor")]
    [InlineData("--KafkaDemo:Ports:Consumer=70000", "KafkaDemo:Ports:Consumer")]
    [InlineData("--KafkaDemo:Rate=-1", "KafkaDemo:Rate")]
    [InlineData("--KafkaDemo:Rate=1e-300", "KafkaDemo:Rate")]
    [InlineData("--KafkaDemo:Controller:SloP99Ms=0.5", "KafkaDemo:Controller:SloP99Ms")]
    [InlineData("--KafkaDemo:Controller:MaxRate=6000000", "KafkaDemo:Controller:MaxRate")]
    [InlineData("--KafkaDemo:K3d:Agents=9", "KafkaDemo:K3d:Agents must be from 0 to 8; it is 9.")]
    [InlineData("--KafkaDemo:Agent:IntervalSeconds=1", "KafkaDemo:Agent:IntervalSeconds must be from 10 to 86400; it is 1.")]
    [InlineData("--KafkaDemo:Embedded:Port=0", "KafkaDemo:Embedded:Port must leave room for 3 consecutive ports below 65536; it is 0.")]
    [InlineData("--KafkaDemo:Placement=moon", "KafkaDemo:Placement must be host or cluster; it is 'moon'.")]
    [InlineData("--KafkaDemo:Placement=1", "KafkaDemo:Placement must be host or cluster; it is '1'.")]
    [InlineData("--KafkaDemo:Placement=cluster", "KafkaDemo:Placement=cluster needs KafkaDemo:Mode=k3d, or KafkaDemo:Mode=external with KafkaDemo:External:Kubeconfig and KafkaDemo:External:Registry (the load runs in a Kubernetes cluster); KafkaDemo:Mode is 'embedded'.")]
    public async Task Bad_configuration_fails_at_start_naming_the_key(string argument, string expected)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.CreateAsync(argument));
        Assert.Contains(expected, Flatten(error), StringComparison.Ordinal);
    }

    private static string Flatten(Exception error) =>
        error is AggregateException aggregate
            ? string.Join(" | ", aggregate.Flatten().InnerExceptions.Select(e => e.Message))
            : error.InnerException is { } inner ? error.Message + " | " + Flatten(inner) : error.Message;
}
