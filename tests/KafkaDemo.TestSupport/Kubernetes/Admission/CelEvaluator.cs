using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Cel;
using Cel.Internal;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>An expression that failed at run time, with the message the fake gives for it.</summary>
internal sealed class CelEvaluationException(string message) : Exception(message);

/// <summary>
/// Runs policy expressions with the Cel package (NuGet Cel 0.3.3), made to behave as cel-go does on what
/// a policy sees:
/// <list type="bullet">
/// <item><c>has(a.f)</c> on a JSON object is rewritten to <c>'f' in a</c> before the package parses it, since
/// the package's has() tests for a non-empty value where cel-go tests that the key is there;</item>
/// <item>a missing key is cel-go's "no such key: f" (see <see cref="JsonMap"/>);</item>
/// <item><c>matches</c> runs the RE2 pattern as <see cref="Re2Pattern"/> translates it.</item>
/// </list>
/// What remains different is listed in README.md (notably the wording of other run-time errors).
/// </summary>
internal sealed partial class CelEvaluator
{
    private readonly CelEnvironment environment = new(null, null);
    private readonly ConcurrentDictionary<string, CelParser.StartContext> parsed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Regex?> patterns = new(StringComparer.Ordinal);

    public CelEvaluator() =>
        environment.RegisterFunction("matches", [typeof(string), typeof(string)], arguments => Matches((string)arguments[0]!, (string)arguments[1]!));

    /// <summary>The package's environment, whose parser the checker uses.</summary>
    public CelEnvironment Environment => environment;

    /// <summary>The value of an expression, or a <see cref="CelEvaluationException"/> with the reason it has none.</summary>
    public object? Evaluate(string expression, IDictionary<string, object?> activation)
    {
        try
        {
            var tree = parsed.GetOrAdd(expression, text => environment.Parse(PresenceTests(text)));
            return environment.Program(tree, activation);
        }
        catch (CelException e)
        {
            throw new CelEvaluationException(MessageOf(e));
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or NullReferenceException or InvalidOperationException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            throw new CelEvaluationException(e.Message);
        }
    }

    /// <summary>
    /// Rewrites <c>has(x.f)</c> to <c>('f' in x)</c> (cel-go: a presence test is key presence on a map), except on
    /// <c>request</c> and <c>namespaceObject</c>, which are typed objects whose fields are always there.
    /// </summary>
    private string PresenceTests(string expression)
    {
        for (var pass = 0; pass < 16; pass++)
        {
            CelParser.StartContext tree;
            try
            {
                tree = environment.Parse(expression);
            }
            catch (CelExpressionParserException)
            {
                return expression;
            }

            var has = Descendants(tree).OfType<CelParser.IdentOrGlobalCallContext>()
                .Where(c => c.op is not null && c.id.Text == "has" && c.args?._e.Count == 1)
                .Select(c => (Call: c, Select: Select(c.args._e[0])))
                .FirstOrDefault(c => c.Select is not null && Root(c.Select.member()) is not ("request" or "namespaceObject"));
            if (has.Select is null)
            {
                return expression;
            }

            var receiver = expression[has.Select.member().Start.StartIndex..(has.Select.member().Stop.StopIndex + 1)];
            var replacement = $"('{has.Select.id.Text}' in ({receiver}))";
            expression = expression[..has.Call.Start.StartIndex] + replacement + expression[(has.Call.Stop.StopIndex + 1)..];
        }

        return expression;
    }

    private static IEnumerable<Antlr4.Runtime.Tree.IParseTree> Descendants(Antlr4.Runtime.Tree.IParseTree node)
    {
        yield return node;
        for (var i = 0; i < node.ChildCount; i++)
        {
            foreach (var descendant in Descendants(node.GetChild(i)))
            {
                yield return descendant;
            }
        }
    }

    /// <summary>The field selection an argument is, if it is only that (parentheses aside).</summary>
    private static CelParser.SelectContext? Select(CelParser.ExprContext argument)
    {
        Antlr4.Runtime.Tree.IParseTree node = argument;
        while (node.ChildCount == 1 || node is CelParser.NestedContext)
        {
            node = node is CelParser.NestedContext nested ? nested.e : node.GetChild(0);
        }

        return node as CelParser.SelectContext is { opt: null } select ? select : null;
    }

    private static string? Root(CelParser.MemberContext member) => member switch
    {
        CelParser.SelectContext select => Root(select.member()),
        CelParser.IndexContext index => Root(index.member()),
        CelParser.PrimaryExprContext primary when primary.primary() is CelParser.IdentOrGlobalCallContext ident => ident.id.Text,
        _ => null,
    };

    private bool Matches(string text, string pattern)
    {
        var regex = patterns.GetOrAdd(pattern, p => Re2Pattern.Translate(p, out var translated) == Re2Verdict.Valid
            ? new Regex(translated, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))
            : null);
        return regex?.IsMatch(text) ?? throw new CelException($"error parsing regexp: the fake cannot run {ApiStatusException.GoQuote(pattern)} as RE2 does");
    }

    /// <summary>The package's error, worded as cel-go words the common ones.</summary>
    private static string MessageOf(Exception error)
    {
        // ConditionalOr/And wrap what they absorbed in "Could not compare OR values."; the cause is the message.
        while (error is CelNoSuchOverloadException { InnerException: CelException inner } && error.Message.StartsWith("Could not compare", StringComparison.Ordinal))
        {
            error = inner;
        }

        if (error is CelNoSuchFieldException && MissingField().Match(error.Message) is { Success: true } missing)
        {
            return $"no such key: {missing.Groups[1].Value}";
        }

        return error is CelDivideByZeroException or CelModulusByZeroException ? "division by zero" : error.Message;
    }

    [GeneratedRegex("select field '([^']*)'")]
    private static partial Regex MissingField();
}
