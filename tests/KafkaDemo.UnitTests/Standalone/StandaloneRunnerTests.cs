extern alias consumer;
extern alias producer;

using KafkaDemo.ServiceHosting.Standalone;
using ConsumerRun = consumer::KafkaDemo.Consumer.Standalone.StandaloneRun;
using ProducerRun = producer::KafkaDemo.Producer.Standalone.StandaloneRun;

namespace KafkaDemo.UnitTests.Standalone;

/// <summary>The one standalone runner: what asks for a run, and each service's switches (shared ones and its own).</summary>
public sealed class StandaloneRunnerTests
{
    [Theory]
    [InlineData(new[] { "--count", "10" }, true)]
    [InlineData(new[] { "--topics", "orders", "--count=10" }, true)]
    [InlineData(new[] { "--counter", "10" }, false)]
    [InlineData(new[] { "--Producer:MessageCount=10" }, false)]
    [InlineData(new string[0], false)]
    public void Only_the_count_switch_asks_for_a_standalone_run(string[] args, bool requested) =>
        Assert.Equal(requested, StandaloneRunner.IsRequested(args));

    [Fact]
    public void The_producer_takes_the_shared_switches_and_its_own()
    {
        var expected = new Dictionary<string, string>
        {
            ["--count"] = "Producer:MessageCount",
            ["--instance"] = "Producer:InstanceId",
            ["--bootstrap-servers"] = "ConnectionStrings:kafka",
            ["--secret"] = "Messaging:HmacSecret",
            ["--secret-file"] = "Messaging:HmacSecretFile",
            ["--rate"] = "Producer:Rate",
            ["--size"] = "Producer:MessageSize",
            ["--topics"] = "Producer:Topics",
            ["--keys"] = "Producer:Keys",
        };

        Assert.Equal(expected.OrderBy(p => p.Key), StandaloneRunner.SwitchesOf(ProducerRun.Service).OrderBy(p => p.Key));
        Assert.Equal("0", ProducerRun.Service.Defaults["Producer:Rate"]);
    }

    [Fact]
    public void The_consumer_takes_the_shared_switches_and_its_own_with_a_fresh_group()
    {
        var expected = new Dictionary<string, string>
        {
            ["--count"] = "Consumer:MessageCount",
            ["--instance"] = "Consumer:InstanceId",
            ["--bootstrap-servers"] = "ConnectionStrings:kafka",
            ["--secret"] = "Messaging:HmacSecret",
            ["--secret-file"] = "Messaging:HmacSecretFile",
            ["--topics"] = "Consumer:Topics",
            ["--group"] = "Consumer:GroupId",
            ["--idle-exit"] = "Consumer:IdleExitSeconds",
        };

        Assert.Equal(expected.OrderBy(p => p.Key), StandaloneRunner.SwitchesOf(ConsumerRun.Service).OrderBy(p => p.Key));
        Assert.StartsWith("kafkademo-standalone-", ConsumerRun.Service.Defaults["Consumer:GroupId"], StringComparison.Ordinal);
    }
}
