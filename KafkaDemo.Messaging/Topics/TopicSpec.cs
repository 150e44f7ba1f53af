using System.Diagnostics.CodeAnalysis;

namespace KafkaDemo.Messaging.Topics;

/// <summary>
/// The demo's topics, written <c>orders:3,clicks:1</c>: comma-separated topic names, each with an
/// optional positive weight (default 1). The producer spreads messages by weight; the consumer
/// and the embedded broker only use the names.
/// </summary>
public sealed class TopicSpec
{
    /// <summary>Largest weight accepted for one topic.</summary>
    public const int MaxWeight = 1000;

    private TopicSpec(IReadOnlyList<WeightedTopic> topics) => Topics = topics;

    public IReadOnlyList<WeightedTopic> Topics { get; }

    public IEnumerable<string> Names => Topics.Select(t => t.Name);

    public static TopicSpec Parse(string? text) =>
        TryParse(text, out var spec, out var error) ? spec : throw new FormatException(error);

    public static bool TryParse(string? text, [NotNullWhen(true)] out TopicSpec? spec, [NotNullWhen(false)] out string? error)
    {
        spec = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "No topics given. Write them as 'orders:3,clicks:1' (name, optional weight).";
            return false;
        }

        var topics = new List<WeightedTopic>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            var name = colon < 0 ? part : part[..colon].Trim();
            var weight = 1;
            if (colon >= 0 && (!int.TryParse(part[(colon + 1)..], out weight) || weight is < 1 or > MaxWeight))
            {
                error = $"Topic '{part}' has an invalid weight; a weight is a whole number from 1 to {MaxWeight}.";
                return false;
            }

            if (!IsValidTopicName(name))
            {
                error = $"'{name}' is not a valid Kafka topic name (1 to 249 characters of a-z, A-Z, 0-9, '.', '_' and '-').";
                return false;
            }

            if (topics.Exists(t => t.Name == name))
            {
                error = $"Topic '{name}' is listed twice.";
                return false;
            }

            topics.Add(new WeightedTopic(name, weight));
        }

        spec = new TopicSpec(topics);
        error = null;
        return true;
    }

    /// <summary>
    /// A repeating schedule of topic indexes in which each topic appears in proportion to its weight,
    /// spread as evenly as possible (smooth weighted round-robin). Its length is the sum of the weights.
    /// </summary>
    public int[] BuildSchedule()
    {
        var total = Topics.Sum(t => t.Weight);
        var current = new int[Topics.Count];
        var schedule = new int[total];
        for (var slot = 0; slot < total; slot++)
        {
            var best = 0;
            for (var i = 0; i < Topics.Count; i++)
            {
                current[i] += Topics[i].Weight;
                if (current[i] > current[best])
                {
                    best = i;
                }
            }

            current[best] -= total;
            schedule[slot] = best;
        }

        return schedule;
    }

    public override string ToString() => string.Join(',', Topics.Select(t => $"{t.Name}:{t.Weight}"));

    private static bool IsValidTopicName(string name) =>
        name.Length is > 0 and <= 249
        && name is not "." and not ".."
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
