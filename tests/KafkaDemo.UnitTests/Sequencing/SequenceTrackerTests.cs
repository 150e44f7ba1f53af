using KafkaDemo.Messaging.Sequencing;

namespace KafkaDemo.UnitTests.Sequencing;

public sealed class SequenceTrackerTests
{
    private static readonly Guid ProducerA = Guid.Parse("00000000-0000-8000-8000-00000000000a");
    private static readonly Guid ProducerB = Guid.Parse("00000000-0000-8000-8000-00000000000b");

    private static StreamKey Stream(Guid producer, long epoch = 1, string topic = "orders", int partition = 0) =>
        new(producer, epoch, topic, partition);

    [Fact]
    public void An_unbroken_stream_has_no_anomalies()
    {
        var tracker = new SequenceTracker();
        for (long i = 0; i < 1000; i++)
        {
            tracker.Observe(Stream(ProducerA), i, offset: i);
        }

        Assert.Equal(new SequenceCounts(1, 0, 0, 0, 0, 0, 0, 0), tracker.Counts);
    }

    [Fact]
    public void The_first_message_is_a_baseline_even_mid_stream()
    {
        var tracker = new SequenceTracker();
        Assert.Equal(SequenceObservation.FirstInStream, tracker.Observe(Stream(ProducerA), 500, offset: 0));
        Assert.Equal(SequenceObservation.InOrder, tracker.Observe(Stream(ProducerA), 501, offset: 1));
        Assert.Equal(0, tracker.Counts.Gaps);
    }

    [Fact]
    public void Skipped_numbers_with_contiguous_offsets_are_gaps()
    {
        var tracker = new SequenceTracker();
        tracker.Observe(Stream(ProducerA), 0, offset: 0);
        tracker.Observe(Stream(ProducerA), 1, offset: 1);

        Assert.Equal(SequenceObservation.Gap, tracker.Observe(Stream(ProducerA), 5, offset: 2));
        Assert.Equal(3, tracker.Counts.Gaps);
        Assert.Equal(0, tracker.Counts.Truncated);
    }

    [Fact]
    public void A_number_seen_twice_is_a_duplicate()
    {
        var tracker = new SequenceTracker();
        tracker.Observe(Stream(ProducerA), 0, offset: 0);
        tracker.Observe(Stream(ProducerA), 1, offset: 1);
        tracker.Observe(Stream(ProducerA), 2, offset: 2);

        Assert.Equal(SequenceObservation.Duplicate, tracker.Observe(Stream(ProducerA), 1, offset: 3));
        Assert.Equal(SequenceObservation.Duplicate, tracker.Observe(Stream(ProducerA), 2, offset: 4));
        Assert.Equal(new SequenceCounts(1, 0, 2, 0, 0, 0, 0, 0), tracker.Counts);
    }

    [Fact]
    public void The_same_record_read_again_is_a_redelivery_not_a_duplicate_in_the_log()
    {
        var tracker = new SequenceTracker();
        for (long i = 0; i < 5; i++)
        {
            tracker.Observe(Stream(ProducerA), i, offset: i);
        }

        // The consumer is handed offsets 3 and 4 again (it went back to a committed offset).
        Assert.Equal(SequenceObservation.Redelivered, tracker.Observe(Stream(ProducerA), 3, offset: 3));
        Assert.Equal(SequenceObservation.Redelivered, tracker.Observe(Stream(ProducerA), 4, offset: 4));
        Assert.Equal(SequenceObservation.InOrder, tracker.Observe(Stream(ProducerA), 5, offset: 5));

        var counts = tracker.Counts;
        Assert.Equal(2, counts.Redelivered);
        Assert.Equal(0, counts.Duplicates);
        Assert.Equal(0, counts.Gaps);
    }

    [Fact]
    public void A_late_arrival_fills_its_gap_and_counts_as_out_of_order()
    {
        var tracker = new SequenceTracker();
        tracker.Observe(Stream(ProducerA), 0, offset: 0);
        tracker.Observe(Stream(ProducerA), 2, offset: 1); // 1 missing
        tracker.Observe(Stream(ProducerA), 4, offset: 2); // 3 missing
        Assert.Equal(2, tracker.Counts.Gaps);

        Assert.Equal(SequenceObservation.OutOfOrder, tracker.Observe(Stream(ProducerA), 1, offset: 3));
        Assert.Equal(SequenceObservation.OutOfOrder, tracker.Observe(Stream(ProducerA), 3, offset: 4));
        Assert.Equal(SequenceObservation.Duplicate, tracker.Observe(Stream(ProducerA), 3, offset: 5));

        Assert.Equal(new SequenceCounts(1, Gaps: 0, Duplicates: 1, Redelivered: 0, OutOfOrder: 2, Truncated: 0, ProducerRestarts: 0, Lost: 0), tracker.Counts);
    }

    [Fact]
    public void A_producer_restart_is_a_new_epoch_not_a_duplicate()
    {
        var tracker = new SequenceTracker();
        for (long i = 0; i < 10; i++)
        {
            tracker.Observe(Stream(ProducerA, epoch: 100), i, offset: i);
        }

        // The restarted producer numbers from 0 again, in a new epoch.
        for (long i = 0; i < 10; i++)
        {
            tracker.Observe(Stream(ProducerA, epoch: 200), i, offset: 10 + i);
        }

        var counts = tracker.Counts;
        Assert.Equal(1, counts.ProducerRestarts);
        Assert.Equal(0, counts.Duplicates);
        Assert.Equal(0, counts.Gaps);
    }

    [Fact]
    public void Late_messages_of_an_older_epoch_do_not_count_as_a_restart()
    {
        var tracker = new SequenceTracker();
        tracker.Observe(Stream(ProducerA, epoch: 200), 0, offset: 0);
        tracker.Observe(Stream(ProducerA, epoch: 100), 7, offset: 1, observedAt: 0);
        Assert.Equal(0, tracker.Counts.ProducerRestarts);
    }

    [Fact]
    public void A_skip_in_the_partition_offsets_turns_the_gap_into_truncation()
    {
        var tracker = new SequenceTracker();
        tracker.Observe(Stream(ProducerA), 0, offset: 0);
        tracker.Observe(Stream(ProducerA), 1, offset: 1);

        // Retention deleted offsets 2..999 before this consumer read them.
        Assert.Equal(SequenceObservation.Truncated, tracker.Observe(Stream(ProducerA), 1000, offset: 1000));

        Assert.Equal(998, tracker.Counts.Truncated);
        Assert.Equal(998, tracker.Counts.Lost);
        Assert.Equal(0, tracker.Counts.Gaps);
    }

    [Fact]
    public void Records_removed_from_a_partition_shared_by_producers_are_lost_once_each()
    {
        var tracker = new SequenceTracker();
        long offset = 0;
        for (long i = 0; i < 10; i++)
        {
            tracker.Observe(Stream(ProducerA), i, offset++);
            tracker.Observe(Stream(ProducerB), i, offset++);
        }

        // Retention removes offsets 20..39: ten messages of each producer.
        offset = 40;
        Assert.Equal(SequenceObservation.Truncated, tracker.Observe(Stream(ProducerA), 20, offset++));
        Assert.Equal(SequenceObservation.Truncated, tracker.Observe(Stream(ProducerB), 20, offset++));

        var counts = tracker.Counts;
        Assert.Equal(20, counts.Lost);
        Assert.Equal(20, counts.Truncated);
        Assert.Equal(0, counts.Gaps);
    }

    [Fact]
    public void Records_removed_while_the_consumer_was_down_are_lost_though_no_stream_is_known()
    {
        var tracker = new SequenceTracker();

        // The previous run handled offset 499 and the group committed 500: nothing to read again.
        // While it was down retention removed offsets 500..799, so it resumes at 800.
        tracker.ResumePartition("orders", 0, handledThrough: 499);
        Assert.Equal(SequenceObservation.FirstInStream, tracker.Observe(Stream(ProducerA), 800, offset: 800));
        Assert.Equal(SequenceObservation.InOrder, tracker.Observe(Stream(ProducerA), 801, offset: 801));

        var counts = tracker.Counts;
        Assert.Equal(300, counts.Lost);
        Assert.Equal(0, counts.Truncated); // per stream, nothing could be judged
        Assert.Equal(0, counts.Gaps);
    }

    [Fact]
    public void Records_removed_that_the_previous_run_had_already_handled_are_not_lost()
    {
        var tracker = new SequenceTracker();

        // Committed 100, handled through 150; retention removed up to 129: the log starts at 130.
        tracker.ResumePartition("orders", 0, handledThrough: 150);
        Assert.Equal(SequenceObservation.Redelivered, tracker.Observe(Stream(ProducerA), 130, offset: 130));
        for (var offset = 131; offset <= 160; offset++)
        {
            tracker.Observe(Stream(ProducerA), offset, offset);
        }

        Assert.Equal(0, tracker.Counts.Lost);
        Assert.Equal(0, tracker.Counts.Gaps);
    }

    [Fact]
    public void Removed_records_that_are_not_envelopes_are_lost_too()
    {
        var tracker = new SequenceTracker();
        tracker.Observe(Stream(ProducerA), 0, offset: 0);
        tracker.ObserveUnverified("orders", 0, offset: 1);
        tracker.ObserveUnverified("orders", 0, offset: 5); // 2..4 removed

        Assert.Equal(3, tracker.Counts.Lost);
    }

    [Fact]
    public void A_partition_first_seen_mid_log_is_a_baseline_not_a_loss()
    {
        var tracker = new SequenceTracker();

        // Another group member may have read offsets 0..999 before this consumer was given the partition.
        tracker.Observe(Stream(ProducerA), 1000, offset: 1000);
        tracker.ForgetPartition("orders", 0);
        tracker.Observe(Stream(ProducerA), 5000, offset: 5000);

        Assert.Equal(0, tracker.Counts.Lost);
    }

    [Fact]
    public void Lost_messages_with_contiguous_offsets_are_gaps_not_lost()
    {
        var tracker = new SequenceTracker();
        tracker.Observe(Stream(ProducerA), 0, offset: 0);
        tracker.Observe(Stream(ProducerA), 4, offset: 1); // 1..3 never reached the log

        Assert.Equal(3, tracker.Counts.Gaps);
        Assert.Equal(0, tracker.Counts.Lost);
    }

    [Fact]
    public void Producers_sharing_a_partition_are_judged_by_the_partition_offsets()
    {
        var tracker = new SequenceTracker();
        // A and B interleave in one partition: their own offsets are never contiguous.
        long offset = 0;
        for (long i = 0; i < 50; i++)
        {
            tracker.Observe(Stream(ProducerA), i, offset++);
            tracker.Observe(Stream(ProducerB), i, offset++);
        }

        Assert.Equal(0, tracker.Counts.Gaps);
        Assert.Equal(0, tracker.Counts.Truncated);

        // A loses 50 and 51 (never written); offsets stay contiguous: a gap, not truncation.
        tracker.Observe(Stream(ProducerA), 52, offset++);
        Assert.Equal(2, tracker.Counts.Gaps);
        Assert.Equal(0, tracker.Counts.Truncated);
    }

    [Fact]
    public void Records_that_are_not_envelopes_keep_the_offsets_contiguous()
    {
        var tracker = new SequenceTracker();
        tracker.Observe(Stream(ProducerA), 0, offset: 0);
        tracker.ObserveUnverified("orders", 0, offset: 1); // garbage in between
        tracker.Observe(Stream(ProducerA), 2, offset: 2);

        Assert.Equal(1, tracker.Counts.Gaps);
        Assert.Equal(0, tracker.Counts.Truncated);
    }

    [Fact]
    public void Forgetting_a_revoked_partition_starts_a_new_baseline_there()
    {
        var tracker = new SequenceTracker();
        tracker.Observe(Stream(ProducerA, partition: 0), 0, offset: 0);
        tracker.Observe(Stream(ProducerA, partition: 1), 0, offset: 0);

        tracker.ForgetPartition("orders", 0);
        Assert.Equal(1, tracker.Counts.Streams);

        // Another group member read 1..99 in the meantime: nothing is lost.
        Assert.Equal(SequenceObservation.FirstInStream, tracker.Observe(Stream(ProducerA, partition: 0), 100, offset: 100));
        Assert.Equal(0, tracker.Counts.Gaps);
        Assert.Equal(0, tracker.Counts.Truncated);
    }

    [Fact]
    public void Beyond_its_capacity_the_least_recently_seen_stream_is_forgotten()
    {
        var tracker = new SequenceTracker(maxStreams: 2);
        tracker.Observe(Stream(ProducerA, partition: 0), 0, 0, observedAt: 1);
        tracker.Observe(Stream(ProducerA, partition: 1), 0, 0, observedAt: 2);
        tracker.Observe(Stream(ProducerA, partition: 0), 1, 1, observedAt: 3);
        tracker.Observe(Stream(ProducerA, partition: 2), 0, 0, observedAt: 4);

        Assert.Equal(2, tracker.Counts.Streams);
        // Partition 0 was kept (seen at 3); partition 1 (seen at 2) was dropped and starts over.
        Assert.Equal(SequenceObservation.InOrder, tracker.Observe(Stream(ProducerA, partition: 0), 2, 2, observedAt: 5));
        Assert.Equal(SequenceObservation.FirstInStream, tracker.Observe(Stream(ProducerA, partition: 1), 1, 1, observedAt: 6));
    }

    [Fact]
    public void A_jump_larger_than_the_window_is_still_counted_exactly()
    {
        var tracker = new SequenceTracker();
        tracker.Observe(Stream(ProducerA), 0, offset: 0);
        tracker.Observe(Stream(ProducerA), SequenceTracker.WindowSize * 3L, offset: 1);

        Assert.Equal(SequenceTracker.WindowSize * 3L - 1, tracker.Counts.Gaps);
        // A number that fell off the window cannot be told from a duplicate.
        Assert.Equal(SequenceObservation.Duplicate, tracker.Observe(Stream(ProducerA), 1, offset: 2));
        // One inside the window is a late fill.
        Assert.Equal(SequenceObservation.OutOfOrder, tracker.Observe(Stream(ProducerA), SequenceTracker.WindowSize * 3L - 5, offset: 3));
    }

    [Fact]
    public void After_a_restart_records_the_previous_run_handled_are_redelivered_and_the_stream_goes_on_from_them()
    {
        var tracker = new SequenceTracker();
        tracker.ResumePartition("orders", 0, handledThrough: 104);

        // The group had committed offset 100; the previous run had handled up to 104.
        for (var offset = 100; offset <= 104; offset++)
        {
            Assert.Equal(SequenceObservation.Redelivered, tracker.Observe(Stream(ProducerA), offset, offset));
        }

        Assert.Equal(SequenceObservation.InOrder, tracker.Observe(Stream(ProducerA), 105, offset: 105));
        Assert.Equal(SequenceObservation.Gap, tracker.Observe(Stream(ProducerA), 107, offset: 106));
        Assert.Equal(new SequenceCounts(1, Gaps: 1, Duplicates: 0, Redelivered: 5, OutOfOrder: 0, Truncated: 0, ProducerRestarts: 0, Lost: 0), tracker.Counts);
    }

    [Fact]
    public void A_gap_the_previous_run_already_counted_is_not_counted_again_when_its_records_are_redelivered()
    {
        var tracker = new SequenceTracker();
        tracker.ResumePartition("orders", 0, handledThrough: 11);

        Assert.Equal(SequenceObservation.Redelivered, tracker.Observe(Stream(ProducerA), 5, offset: 10));
        Assert.Equal(SequenceObservation.Redelivered, tracker.Observe(Stream(ProducerA), 9, offset: 11)); // 6-8 were lost before: counted then
        Assert.Equal(SequenceObservation.InOrder, tracker.Observe(Stream(ProducerA), 10, offset: 12));

        Assert.Equal(0, tracker.Counts.Gaps);
        Assert.Equal(2, tracker.Counts.Redelivered);
    }
}
