extern alias overseer;

using overseer::KafkaDemo.Overseer.Agent;
using overseer::KafkaDemo.Overseer.StrimziWatch;

namespace KafkaDemo.UnitTests.Agent;

/// <summary>The agent's record: each round with its own output, and every collection within its stated bound.</summary>
public sealed class AgentActivityTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);

    private static AgentFigures Figures(int second = 0) => new(Start.AddSeconds(second), 1000, 1000, 2, 10, 20, 25, null);

    private static AgentActivity Activity() => new(() => Figures());

    private static AgentOutputLine Line(string text, AgentLineKind kind = AgentLineKind.Other) => new(Start, text, AgentOutputSource.Stdout, kind);

    [Fact]
    public void A_round_keeps_its_own_lines_with_their_kind_and_ends_with_its_result_and_reason()
    {
        var activity = Activity();
        var first = activity.Begin("manual", Figures());
        activity.SetPod(first.Number, "vibectl-abc");
        activity.AddLine(first.Number, Line("🔄 Consulting m for a plan...", AgentLineKind.Planning));
        activity.End(first.Number, Start.AddSeconds(30), AgentRoundOutcome.Failed("Error: boom"), 0);
        var second = activity.Begin("schedule", Figures(60));
        activity.AddLine(second.Number, Line("second round's line"));

        var rounds = activity.Rounds;

        Assert.Equal(["🔄 Consulting m for a plan..."], rounds[0].Output.Select(l => l.Text));
        Assert.Equal(AgentLineKind.Planning, rounds[0].Output[0].Kind);
        Assert.Equal(["second round's line"], rounds[1].Output.Select(l => l.Text));
        Assert.Equal(AgentRoundResult.Failed, rounds[0].Result);
        Assert.Equal("Error: boom", rounds[0].Reason);
        Assert.Equal(0, rounds[0].ExitCode);
        Assert.Equal("vibectl-abc", rounds[0].Pod);
        Assert.Equal(30_000, rounds[0].DurationMs);
        Assert.Equal(Figures(60), rounds[0].After);
        Assert.Null(rounds[1].Result);
        Assert.Equal(second.Number, activity.Running?.Number);
    }

    [Fact]
    public void Rounds_past_the_bound_are_forgotten_oldest_first_and_only_the_latest_keep_their_output()
    {
        var activity = Activity();
        for (var i = 0; i < AgentActivity.MaxRounds + 5; i++)
        {
            var round = activity.Begin("schedule", Figures(i));
            activity.AddLine(round.Number, Line($"line of round {round.Number}"));
            activity.End(round.Number, Start.AddSeconds(i), AgentRoundOutcome.Ok, 0);
        }

        var rounds = activity.Rounds;

        Assert.Equal(AgentActivity.MaxRounds, rounds.Count);
        Assert.Equal(6, rounds[0].Number);
        Assert.Equal(AgentActivity.MaxRounds + 5, activity.RoundCount);
        Assert.Equal(AgentActivity.RoundsWithOutput, rounds.Count(r => r.Output.Count > 0));
        Assert.All(rounds.SkipLast(AgentActivity.RoundsWithOutput), r => Assert.Equal((0, 1), (r.Output.Count, r.LinesLeftOut)));
        Assert.Equal($"line of round {AgentActivity.MaxRounds + 5}", rounds[^1].Output.Single().Text);
    }

    [Fact]
    public void A_round_keeps_its_first_and_last_lines_and_says_how_many_it_left_out()
    {
        var activity = Activity();
        var round = activity.Begin("manual", Figures());
        var total = AgentActivity.MaxLinesPerRound + 500;
        for (var i = 1; i <= total; i++)
        {
            activity.AddLine(round.Number, Line($"line {i}"));
        }

        var kept = activity.Rounds.Single();

        Assert.Equal(AgentActivity.MaxLinesPerRound + 1, kept.Output.Count);
        Assert.Equal(500, kept.LinesLeftOut);
        Assert.Equal("line 1", kept.Output[0].Text);
        Assert.Equal($"line {AgentActivity.MaxLinesPerRound / 2}", kept.Output[(AgentActivity.MaxLinesPerRound / 2) - 1].Text);
        var marker = kept.Output[AgentActivity.MaxLinesPerRound / 2];
        Assert.Equal(AgentOutputSource.Overseer, marker.Stream);
        Assert.StartsWith("… 500 lines left out", marker.Text, StringComparison.Ordinal);
        Assert.Equal($"line {(AgentActivity.MaxLinesPerRound / 2) + 501}", kept.Output[(AgentActivity.MaxLinesPerRound / 2) + 1].Text);
        Assert.Equal($"line {total}", kept.Output[^1].Text);
    }

    [Fact]
    public void A_long_line_is_cut_with_a_visible_marker()
    {
        var activity = Activity();
        var round = activity.Begin("manual", Figures());
        activity.AddLine(round.Number, Line(new string('x', AgentActivity.MaxLineChars + 4000)));
        activity.AddLine(round.Number, Line(new string('y', AgentActivity.MaxLineChars)));

        var lines = activity.Rounds.Single().Output;

        Assert.Equal(new string('x', AgentActivity.MaxLineChars) + " … [4000 more characters cut by the Overseer]", lines[0].Text);
        Assert.Equal(new string('y', AgentActivity.MaxLineChars), lines[1].Text);
        // Never half a character: a strict UTF-8 encoder refuses a lone surrogate.
        var strict = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true);
        Assert.NotEmpty(strict.GetBytes(AgentActivity.CutLine("a" + string.Concat(Enumerable.Repeat("🚀", 600)))));
        Assert.NotEmpty(strict.GetBytes(AgentActivity.CutLine(string.Concat(Enumerable.Repeat("🚀", 600)))));
    }

    [Fact]
    public void Changes_seen_and_changes_per_round_stay_within_their_bounds()
    {
        var activity = Activity();
        activity.Begin("manual", Figures());
        for (var i = 0; i < AgentActivity.MaxChanges + 50; i++)
        {
            activity.OnClusterChange(new ClusterChange(Start.AddSeconds(i), "Kafka kafkademo", i, "kubectl-patch", [new SpecChange("num.io.threads", $"{i}", $"{i + 1}")]));
        }

        Assert.Equal(AgentActivity.MaxChanges, activity.Changes.Count);
        Assert.Equal(50, activity.Changes[0].Change.Generation);
        Assert.Equal(AgentActivity.MaxChangesPerRound, activity.Rounds.Single().Changes.Count);
    }

    [Fact]
    public void Recent_gives_the_latest_rounds_oldest_first_and_the_revision_grows_with_every_change()
    {
        var activity = Activity();
        var seen = activity.Revision;
        for (var i = 0; i < 5; i++)
        {
            var round = activity.Begin("schedule", Figures(i));
            activity.AddLine(round.Number, Line($"round {round.Number}"));
            Assert.True(activity.Revision > seen);
            seen = activity.Revision;
        }

        activity.SetNextRun(Start);
        Assert.True(activity.Revision > seen);

        var recent = activity.Recent(3);

        Assert.Equal([3, 4, 5], recent.Select(r => r.Number));
        Assert.Equal(["round 5"], recent[^1].Output.Select(l => l.Text));
        Assert.Equal(5, activity.Recent(50).Count);
        Assert.Empty(activity.Recent(0));
    }

    [Fact]
    public void Pausing_after_a_failed_round_shows_paused_and_resuming_undoes_it()
    {
        var activity = Activity();
        activity.SetState(AgentState.Idle, "Ready.");
        var round = activity.Begin("manual", Figures());
        activity.End(round.Number, Start.AddSeconds(5), AgentRoundOutcome.Failed("Error: boom"), 0);
        Assert.Equal(AgentState.Failed, activity.State);

        activity.SetPaused(true);
        Assert.Equal(AgentState.Paused, activity.State);

        activity.SetPaused(false);
        Assert.Equal(AgentState.Idle, activity.State);
    }
}
