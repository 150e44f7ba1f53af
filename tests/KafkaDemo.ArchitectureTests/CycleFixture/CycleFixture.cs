// Two folders that depend on each other, as Producer's Sending and Stats once did: the rule must
// catch it (FolderCycleTests.A_cycle_between_two_folders_fails_and_names_the_types_that_close_it).
#pragma warning disable CA1812 // never instantiated: only their references matter
namespace KafkaDemo.ArchitectureTests.CycleFixture.Sending
{
    internal sealed class Sender
    {
        public Stats.Counts? Counts { get; set; }
    }
}

namespace KafkaDemo.ArchitectureTests.CycleFixture.Stats
{
    internal sealed class Counts
    {
        public Sending.Sender? LastSender { get; set; }
    }
}
