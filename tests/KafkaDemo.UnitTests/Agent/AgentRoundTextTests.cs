extern alias overseer;

using overseer::KafkaDemo.Overseer.Agent;
using overseer::KafkaDemo.Overseer.Components.Dashboard;
using overseer::KafkaDemo.Overseer.StrimziWatch;

namespace KafkaDemo.UnitTests.Agent;

/// <summary>What the agent panel writes for a round and its lines, and which rounds it shows open.</summary>
public sealed class AgentRoundTextTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);

    private static readonly AgentFigures Figures = new(Start, 1000, 1000, 2, 10, 20, 25, null);

    private static AgentRound Round(AgentRoundResult? result, TimeSpan? took, string? reason = null, params ClusterChange[] changes) =>
        new(7, "manual", Start, took is { } t ? Start + t : null, result, reason, 0, "vibectl-abc", Figures, null, changes, [], 0);

    [Theory]
    [InlineData(null, "running", "result-running")]
    [InlineData(AgentRoundResult.Ok, "ok", "result-ok")]
    [InlineData(AgentRoundResult.Failed, "failed", "result-failed")]
    [InlineData(AgentRoundResult.TimedOut, "timed out", "result-timed-out")]
    public void The_header_names_the_result(AgentRoundResult? result, string text, string cssClass)
    {
        var round = Round(result, result is null ? null : TimeSpan.FromSeconds(3));

        Assert.Equal(text, AgentRoundText.Result(round));
        Assert.Equal(cssClass, AgentRoundText.ResultClass(round));
    }

    [Fact]
    public void The_duration_is_how_long_it_took_or_has_run()
    {
        Assert.Equal("12.3 s", AgentRoundText.Duration(Round(AgentRoundResult.Ok, TimeSpan.FromMilliseconds(12_345)), Start));
        Assert.Equal("2 min 05 s", AgentRoundText.Duration(Round(AgentRoundResult.Ok, TimeSpan.FromSeconds(125)), Start));
        Assert.Equal("1 h 02 min", AgentRoundText.Duration(Round(AgentRoundResult.Ok, TimeSpan.FromMinutes(62)), Start));
        Assert.Equal("running for 42 s", AgentRoundText.Duration(Round(null, null), Start.AddSeconds(42.9)));
        Assert.Equal("running for 0 s", AgentRoundText.Duration(Round(null, null), Start.AddSeconds(-1))); // a clock behind the round's start
    }

    [Fact]
    public void The_header_lists_the_rounds_changes_with_who_made_them()
    {
        var change = new ClusterChange(Start, "Kafka kafkademo", 3, "kubectl-patch",
            [new SpecChange("num.io.threads", "2", "4"), new SpecChange("num.network.threads", "2", "3")]);

        Assert.Equal(["num.io.threads 2→4, num.network.threads 2→3 (kubectl-patch)"], AgentRoundText.Changes(Round(AgentRoundResult.Ok, TimeSpan.Zero, null, change)));
    }

    [Theory]
    [InlineData(AgentLineKind.Planning, AgentOutputSource.Stdout, "agent-line kind-planning stream-stdout")]
    [InlineData(AgentLineKind.KubectlCommand, AgentOutputSource.Stdout, "agent-line kind-kubectl-command stream-stdout")]
    [InlineData(AgentLineKind.CommandDone, AgentOutputSource.Stdout, "agent-line kind-command-done stream-stdout")]
    [InlineData(AgentLineKind.Summary, AgentOutputSource.Stdout, "agent-line kind-summary stream-stdout")]
    [InlineData(AgentLineKind.Note, AgentOutputSource.Stderr, "agent-line kind-note stream-stderr")]
    [InlineData(AgentLineKind.Warning, AgentOutputSource.Stderr, "agent-line kind-warning stream-stderr")]
    [InlineData(AgentLineKind.Error, AgentOutputSource.Stderr, "agent-line kind-error stream-stderr")]
    [InlineData(AgentLineKind.Other, AgentOutputSource.Overseer, "agent-line kind-other stream-overseer")]
    public void Each_kind_of_line_has_its_own_class(AgentLineKind kind, AgentOutputSource stream, string classes) =>
        Assert.Equal(classes, AgentRoundText.LineClass(new AgentOutputLine(Start, "  text", stream, kind)));

    [Fact]
    public void The_newest_round_is_open_until_a_newer_one_comes_unless_the_person_chose()
    {
        var folds = new RoundFolding();
        Assert.True(folds.IsOpen(3, newest: 3));
        Assert.False(folds.IsOpen(2, newest: 3));

        folds.Toggle(2, newest: 3); // opened by the person
        folds.Toggle(3, newest: 3); // closed by the person

        // Refreshes change nothing, and a new round opens without touching their choices.
        Assert.True(folds.IsOpen(2, newest: 3));
        Assert.False(folds.IsOpen(3, newest: 3));
        Assert.True(folds.IsOpen(4, newest: 4));
        Assert.True(folds.IsOpen(2, newest: 4));
        Assert.False(folds.IsOpen(3, newest: 4));

        // A round left alone closes when a newer one comes.
        Assert.True(folds.IsOpen(5, newest: 5));
        Assert.False(folds.IsOpen(4, newest: 5));

        // Choices for rounds no longer shown are forgotten.
        folds.Keep([3, 4, 5]);
        Assert.False(folds.IsOpen(2, newest: 5));
        Assert.False(folds.IsOpen(3, newest: 5));
    }
}
