using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnitV3;
using static ArchUnitNET.Fluent.Slices.SliceRuleDefinition;

namespace KafkaDemo.ArchitectureTests;

/// <summary>
/// A project's folders (one namespace each) depend on each other one way: no cycle between them, so
/// each folder can be read, tested and changed from the bottom up. A new cycle fails here, and
/// ArchUnitNET's message names the types that close it.
/// </summary>
public sealed class FolderCycleTests
{
    /// <summary>
    /// The projects held to it. Tests and benchmarks are not. The AppHost's folders, bottom up:
    /// Lifecycle (states, the setup error, private files: depends on no other folder), Settings,
    /// Tools, Kafka; Kubernetes; Manifests; K3d, Strimzi; Modes, Agent; OverseerIdentity; K3dMode
    /// (Kafka in k3d mode); Extensions (the demo's topology, which nothing depends on).
    /// </summary>
    private static readonly string[] ProjectNames =
    [
        "KafkaDemo.Messaging",
        "KafkaDemo.ServiceHosting",
        "KafkaDemo.DeploymentContract",
        "KafkaDemo.ServiceDefaults",
        "KafkaDemo.Producer",
        "KafkaDemo.Consumer",
        "KafkaDemo.EmbeddedKafka",
        "KafkaDemo.Overseer",
        "KafkaDemo.AppHost",
    ];

    public static TheoryData<string> Projects { get; } = [.. ProjectNames];

    private static readonly Lazy<Architecture> Code = new(() => new ArchLoader()
        .LoadAssemblies([.. ProjectNames.Select(System.Reflection.Assembly.Load)])
        .Build());

    [Theory]
    [MemberData(nameof(Projects))]
    public void The_folders_of_a_project_form_no_cycle(string project) =>
        Slices().Matching(project + ".(*)..").Should().BeFreeOfCycles().Check(Code.Value);

    [Fact]
    public void A_cycle_between_two_folders_fails_and_names_the_types_that_close_it()
    {
        var fixture = new ArchLoader().LoadAssemblies(typeof(FolderCycleTests).Assembly).Build();

        var failure = Assert.Throws<FailedArchRuleException>(() =>
            Slices().Matching("KafkaDemo.ArchitectureTests.CycleFixture.(*)..").Should().BeFreeOfCycles().Check(fixture));

        Assert.Contains("KafkaDemo.ArchitectureTests.CycleFixture.Sending.Sender -> KafkaDemo.ArchitectureTests.CycleFixture.Stats.Counts", failure.Message, StringComparison.Ordinal);
        Assert.Contains("KafkaDemo.ArchitectureTests.CycleFixture.Stats.Counts -> KafkaDemo.ArchitectureTests.CycleFixture.Sending.Sender", failure.Message, StringComparison.Ordinal);
    }
}
