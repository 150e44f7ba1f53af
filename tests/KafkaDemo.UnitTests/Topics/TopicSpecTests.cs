using KafkaDemo.Messaging.Topics;

namespace KafkaDemo.UnitTests.Topics;

public sealed class TopicSpecTests
{
    [Fact]
    public void Names_and_weights_are_parsed_and_weights_default_to_one()
    {
        var spec = TopicSpec.Parse(" orders:3 , clicks ");
        Assert.Equal([new WeightedTopic("orders", 3), new WeightedTopic("clicks", 1)], spec.Topics);
        Assert.Equal("orders:3,clicks:1", spec.ToString());
    }

    [Theory]
    [InlineData("", "No topics given")]
    [InlineData("orders:0", "invalid weight")]
    [InlineData("orders:x", "invalid weight")]
    [InlineData("orders:1001", "invalid weight")]
    [InlineData("bad topic", "not a valid Kafka topic name")]
    [InlineData("a,,b", "not a valid Kafka topic name")]
    [InlineData("orders,orders", "listed twice")]
    public void Invalid_specs_explain_what_is_wrong(string text, string expected)
    {
        Assert.False(TopicSpec.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_schedule_follows_the_weights_and_spreads_them_evenly()
    {
        var schedule = TopicSpec.Parse("orders:3,clicks:1").BuildSchedule();

        Assert.Equal(4, schedule.Length);
        Assert.Equal(3, schedule.Count(i => i == 0));
        Assert.Equal(1, schedule.Count(i => i == 1));

        var wide = TopicSpec.Parse("a:5,b:3,c:2").BuildSchedule();
        Assert.Equal([5, 3, 2], wide.GroupBy(i => i).OrderBy(g => g.Key).Select(g => g.Count()));
        // Smooth: the heaviest topic never appears three times in a row.
        for (var i = 0; i + 2 < wide.Length; i++)
        {
            Assert.False(wide[i] == 0 && wide[i + 1] == 0 && wide[i + 2] == 0);
        }
    }
}
