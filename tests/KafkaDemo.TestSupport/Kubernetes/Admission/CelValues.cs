using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cel;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// JSON as the API server hands an object to CEL (runtime.DefaultUnstructuredConverter): maps with string
/// keys, lists, int64 for a number literal that parses as one and float64 otherwise, strings, bools and
/// null, in the forms the Cel package evaluates (<see cref="JsonMap"/>, <c>object?[]</c>, <c>long</c>,
/// <c>double</c>...).
/// </summary>
internal static class CelValues
{
    public static object? From(JsonNode? node) => node switch
    {
        null => null,
        JsonObject map => new JsonMap(map.Select(p => KeyValuePair.Create(p.Key, From(p.Value)))),
        JsonArray list => list.Select(From).ToArray(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                ? (object)integer
                : (object)double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture),
            _ => null,
        },
        _ => null,
    };
}

/// <summary>
/// A JSON object for the Cel package. Selecting a field it lacks (<c>m.f</c>) is cel-go's error
/// "no such key: f" (a CelException, which <c>||</c> and <c>&amp;&amp;</c> absorb as cel-go absorbs errors), where the
/// package would otherwise hand back a marker that escapes them; indexing, <c>in</c> and iteration are a
/// plain dictionary's.
/// </summary>
internal sealed class JsonMap : Dictionary<string, object?>, IDictionary<string, object?>
{
    public JsonMap(IEnumerable<KeyValuePair<string, object?>> entries)
        : base(entries, StringComparer.Ordinal)
    {
    }

    bool IDictionary<string, object?>.TryGetValue(string key, [MaybeNullWhen(false)] out object? value) =>
        TryGetValue(key, out value) ? true : throw new CelException($"no such key: {key}");
}

/// <summary>
/// A policy's <c>variables</c>, each evaluated when first used and remembered for the rest of the request
/// (k8s.io/apiserver pkg/admission/plugin/cel/composition.go: a lazy map). A variable that fails makes
/// every use fail with "composited variable "x" fails to evaluate: ...".
/// </summary>
internal sealed class LazyVariables(IReadOnlyList<(string Name, Func<object?> Evaluate)> declared) : IDictionary<string, object?>
{
    private readonly Dictionary<string, object?> values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> failures = new(StringComparer.Ordinal);

    public object? this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);
        set => throw new NotSupportedException();
    }

    public ICollection<string> Keys => [.. declared.Select(d => d.Name)];

    public ICollection<object?> Values => [.. Keys.Select(k => this[k])];

    public int Count => declared.Count;

    public bool IsReadOnly => true;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        value = null;
        if (values.TryGetValue(key, out value))
        {
            return true;
        }

        if (failures.TryGetValue(key, out var failure))
        {
            throw new CelException(failure);
        }

        var (name, evaluate) = declared.FirstOrDefault(d => d.Name == key);
        if (name is null)
        {
            return false;
        }

        try
        {
            value = evaluate();
        }
        catch (CelEvaluationException e)
        {
            failures[key] = $"composited variable \"{key}\" fails to evaluate: {e.Message}";
            throw new CelException(failures[key]);
        }

        values[key] = value;
        return true;
    }

    public bool ContainsKey(string key) => declared.Any(d => d.Name == key);

    public bool Contains(KeyValuePair<string, object?> item) => ContainsKey(item.Key);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() =>
        Keys.Select(k => KeyValuePair.Create(k, this[k])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex) => this.ToArray().CopyTo(array, arrayIndex);

    public void Add(string key, object? value) => throw new NotSupportedException();

    public void Add(KeyValuePair<string, object?> item) => throw new NotSupportedException();

    public bool Remove(string key) => throw new NotSupportedException();

    public bool Remove(KeyValuePair<string, object?> item) => throw new NotSupportedException();

    public void Clear() => throw new NotSupportedException();
}
