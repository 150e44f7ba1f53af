extern alias consumer;

using consumer::KafkaDemo.Consumer.Positions;

namespace KafkaDemo.UnitTests.Consumer;

public sealed class ReadPositionsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kafkademo-positions-").FullName;

    private string File => Path.Combine(_directory, ReadPositions.FileName("group", "consumer-1", "127.0.0.1:9092"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void What_a_run_handled_is_there_for_the_next_run_when_the_commit_is_consistent()
    {
        using (var first = ReadPositions.Open(File))
        {
            Assert.True(first.IsKept, first.Problem);
            first.Handled("orders", 3, 99);
            first.Committed("orders", 3, 80);
            first.Handled("orders", 3, 120);
            first.Handled("clicks", 0, 7);
        }

        using var second = ReadPositions.Open(File);
        Assert.Equal(120, second.Resume("orders", 3, committed: 100));
        Assert.Equal(7, second.Resume("clicks", 0, committed: 8)); // committed past everything: nothing to redeliver
    }

    [Theory]
    [InlineData(-1001L)] // the group never committed: this file is from another cluster or group
    [InlineData(122L)] // committed beyond what this consumer handled: another member moved on
    [InlineData(50L)] // behind the last commit this consumer saw: not the same log
    public void An_entry_inconsistent_with_the_commit_is_not_trusted_and_is_dropped(long committed)
    {
        using (var first = ReadPositions.Open(File))
        {
            first.Handled("orders", 3, 120);
            first.Committed("orders", 3, 80);
        }

        using var second = ReadPositions.Open(File);
        Assert.Null(second.Resume("orders", 3, committed));
        Assert.Null(second.Resume("orders", 3, committed: 100));
    }

    [Fact]
    public void A_released_partition_is_forgotten_and_its_neighbours_are_kept()
    {
        using (var first = ReadPositions.Open(File))
        {
            for (var partition = 0; partition < 50; partition++)
            {
                first.Handled("orders", partition, 1000 + partition);
            }

            first.Release("orders", 7);
        }

        using var second = ReadPositions.Open(File);
        Assert.Null(second.Resume("orders", 7, committed: 1000));
        for (var partition = 0; partition < 50; partition++)
        {
            if (partition != 7)
            {
                Assert.Equal(1000 + partition, second.Resume("orders", partition, committed: 1000));
            }
        }
    }

    [Fact]
    public void A_partition_assigned_and_revoked_again_and_again_does_not_fill_the_file()
    {
        using var positions = ReadPositions.Open(File);
        for (var round = 0; round < 3 * ReadPositions.SlotCount; round++)
        {
            positions.Handled("orders", 1, round);
            positions.Release("orders", 1);
        }

        positions.Handled("orders", 1, 5);
        positions.Committed("orders", 1, 3);
        Assert.Equal(5, positions.Resume("orders", 1, committed: 4));
    }

    [Fact]
    public void A_second_consumer_with_the_same_name_runs_without_a_file_and_says_why()
    {
        using var first = ReadPositions.Open(File);
        using var second = ReadPositions.Open(File);

        Assert.True(first.IsKept);
        Assert.False(second.IsKept);
        Assert.Contains(File, second.Problem, StringComparison.Ordinal);
        second.Handled("orders", 0, 1); // harmless
        Assert.Null(second.Resume("orders", 0, 0));
    }

    [Fact]
    public void A_file_of_another_format_is_started_afresh()
    {
        System.IO.File.WriteAllText(File, "not a positions file");

        using var positions = ReadPositions.Open(File);

        Assert.True(positions.IsKept);
        Assert.Null(positions.Resume("orders", 0, 0));
        Assert.Equal(ReadPositions.FileSize, new FileInfo(File).Length);
    }

    [Fact]
    public void The_file_name_is_safe_and_differs_per_group_instance_and_cluster()
    {
        var name = ReadPositions.FileName("my group/1", "consumer-1", "a:9092");

        Assert.DoesNotContain('/', name);
        Assert.DoesNotContain(' ', name);
        Assert.NotEqual(name, ReadPositions.FileName("my group/1", "consumer-2", "a:9092"));
        Assert.NotEqual(name, ReadPositions.FileName("my group/1", "consumer-1", "b:9092"));
    }
}
