using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// A list or watch's <c>labelSelector</c> and <c>fieldSelector</c>. Labels: <c>k=v</c>, <c>k==v</c>,
/// <c>k!=v</c>, <c>k</c>, <c>!k</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>, joined by commas (all must hold).
/// Fields: <c>metadata.name</c> and <c>metadata.namespace</c> with <c>=</c>, <c>==</c>, <c>!=</c>; any other
/// field is refused with 400, as the real server refuses fields it does not index.
/// </summary>
internal sealed class Selectors
{
    private readonly List<Func<JsonObject, bool>> requirements = [];

    public static Selectors Parse(string? labelSelector, string? fieldSelector)
    {
        var selectors = new Selectors();
        foreach (var term in SplitTerms(labelSelector))
        {
            selectors.requirements.Add(ParseLabel(term));
        }

        foreach (var term in SplitTerms(fieldSelector))
        {
            selectors.requirements.Add(ParseField(term));
        }

        return selectors;
    }

    public bool Matches(JsonObject item) => requirements.All(r => r(item));

    private static IEnumerable<string> SplitTerms(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            yield break;
        }

        var depth = 0;
        var start = 0;
        for (var i = 0; i < selector.Length; i++)
        {
            depth += selector[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (selector[i] == ',' && depth == 0)
            {
                yield return selector[start..i].Trim();
                start = i + 1;
            }
        }

        yield return selector[start..].Trim();
    }

    private static Func<JsonObject, bool> ParseLabel(string term)
    {
        string? Label(JsonObject item, string key) => JsonFields.Text(item, "metadata", "labels", key);
        bool HasLabel(JsonObject item, string key) => item["metadata"]?["labels"] is JsonObject labels && labels.ContainsKey(key);

        if (term.StartsWith('!'))
        {
            var key = term[1..].Trim();
            return item => !HasLabel(item, key);
        }

        var (left, op, right) = SplitOperator(term);
        if (op is null)
        {
            var words = term.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length == 2 && (words[1].StartsWith("in", StringComparison.Ordinal) || words[1].StartsWith("notin", StringComparison.Ordinal)))
            {
                var negate = words[1].StartsWith("notin", StringComparison.Ordinal);
                var list = words[1][(negate ? 5 : 2)..].Trim();
                if (!list.StartsWith('(') || !list.EndsWith(')'))
                {
                    throw ApiStatusException.BadRequest($"unable to parse requirement: {term}");
                }

                var values = list[1..^1].Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
                var key = words[0];
                return negate
                    ? item => Label(item, key) is not { } value || !values.Contains(value)
                    : item => Label(item, key) is { } value && values.Contains(value);
            }

            if (words.Length != 1)
            {
                throw ApiStatusException.BadRequest($"unable to parse requirement: {term}");
            }

            return item => HasLabel(item, term);
        }

        return op == "!="
            ? item => Label(item, left) != right
            : item => Label(item, left) == right;
    }

    private static Func<JsonObject, bool> ParseField(string term)
    {
        var (left, op, right) = SplitOperator(term);
        if (op is null)
        {
            throw ApiStatusException.BadRequest($"invalid selector: '{term}'; can't understand '{term}'");
        }

        Func<JsonObject, string?> field = left switch
        {
            "metadata.name" => item => JsonFields.Text(item, "metadata", "name"),
            "metadata.namespace" => item => JsonFields.Text(item, "metadata", "namespace") ?? "",
            _ => throw ApiStatusException.BadRequest($"\"{left}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""),
        };
        return op == "!=" ? item => field(item) != right : item => field(item) == right;
    }

    private static (string Left, string? Op, string Right) SplitOperator(string term)
    {
        foreach (var op in (string[])["!=", "==", "="])
        {
            var at = term.IndexOf(op, StringComparison.Ordinal);
            if (at > 0)
            {
                return (term[..at].Trim(), op, term[(at + op.Length)..].Trim());
            }
        }

        return (term, null, "");
    }
}
