using Antlr4.Runtime;
using Cel;
using Cel.Helpers;
using Cel.Internal;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// What Kubernetes' CEL compiler (cel-go v0.22.0 in k8s.io/apiserver v0.32.13) refuses when a
/// ValidatingAdmissionPolicy is written, found on the parse tree of the Cel package (which parses the same
/// grammar but checks nothing), with cel-go's messages and positions:
/// <list type="bullet">
/// <item>parse: <c>has()</c> of anything but a field selection ("invalid argument to has() macro",
/// parser/macro.go MakeHas); a comprehension variable that is not a simple name ("argument must be a simple name");</item>
/// <item>check: an identifier that is not declared ("undeclared reference to 'x' (in container '')"), a
/// function no library declares, a field <c>request</c>, <c>namespaceObject</c> or <c>variables</c> does not
/// have ("undefined field 'x'"), field selection on a scalar;</item>
/// <item>validators (cel/validator.go): list and map literals whose elements are not of one type
/// (HomogeneousAggregateLiterals: "expected type 'int' but found 'string'"), a <c>matches</c> pattern Go's
/// regexp refuses ("invalid matches argument");</item>
/// <item>the expression's type (pkg/admission/plugin/cel/compile.go CompileCELExpression): "must evaluate to
/// bool but got dyn".</item>
/// </list>
/// Besides, it lists what Kubernetes 1.32 accepts but the Cel package cannot evaluate (or evaluates
/// differently): the optional syntax (<c>.?</c>, <c>[?</c>, <c>?</c> entries), Kubernetes' extension libraries
/// (quantity, strings, lists, sets, URLs, IPs, format, authorizer), two-variable comprehensions, three-argument
/// <c>map</c>, <c>filter</c>/<c>map</c> over a map, and message literals. Types are worked out only as far as
/// the checker can tell; where it cannot (<see cref="CelType.Unknown"/>) it refuses nothing.
/// </summary>
internal sealed class CelChecker
{
    private static readonly HashSet<string> TypeNames = ["int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type", "dyn"];
    private static readonly HashSet<string> Namespaces = ["optional", "sets", "strings", "math", "base64", "format", "ext"];

    /// <summary>Functions both Kubernetes and the Cel package have, with their result types.</summary>
    private static readonly Dictionary<string, CelType> Supported = new(StringComparer.Ordinal)
    {
        ["size"] = CelType.Int, ["int"] = CelType.Int, ["uint"] = CelType.Uint, ["double"] = CelType.Double,
        ["string"] = CelType.String, ["bytes"] = CelType.Bytes, ["bool"] = CelType.Bool, ["type"] = CelType.Type,
        ["dyn"] = CelType.Dyn, ["duration"] = CelType.Duration, ["timestamp"] = CelType.Timestamp,
        ["matches"] = CelType.Bool, ["startsWith"] = CelType.Bool, ["endsWith"] = CelType.Bool, ["contains"] = CelType.Bool,
        ["getDate"] = CelType.Int, ["getDayOfMonth"] = CelType.Int, ["getDayOfWeek"] = CelType.Int, ["getDayOfYear"] = CelType.Int,
        ["getFullYear"] = CelType.Int, ["getHours"] = CelType.Int, ["getMilliseconds"] = CelType.Int, ["getMinutes"] = CelType.Int,
        ["getMonth"] = CelType.Int, ["getSeconds"] = CelType.Int,
    };

    /// <summary>
    /// Functions Kubernetes 1.32 declares for admission CEL (k8s.io/apiserver pkg/cel/environment/base.go: the
    /// URLs, Regex, Lists, Authz, Quantity, IP, CIDR, Format and AuthzSelectors libraries, cel-go's strings v2,
    /// sets and optional types, two-variable comprehensions) that the Cel package does not evaluate.
    /// </summary>
    private static readonly HashSet<string> KubernetesOnly =
    [
        "url", "isURL", "getScheme", "getHost", "getHostname", "getPort", "getEscapedPath", "getQuery",
        "find", "findAll",
        "isSorted", "sum", "min", "max", "indexOf", "lastIndexOf",
        "path", "group", "resource", "subresource", "namespace", "name", "check", "allowed", "reason", "errored", "error", "serviceAccount",
        "fieldSelector", "labelSelector",
        "quantity", "isQuantity", "isInteger", "asInteger", "asApproximateFloat", "sign", "add", "sub", "isLessThan", "isGreaterThan", "compareTo",
        "charAt", "lowerAscii", "upperAscii", "replace", "split", "substring", "trim", "join", "format", "strings.quote",
        "sets.contains", "sets.equivalent", "sets.intersects",
        "ip", "isIP", "cidr", "isCIDR", "containsIP", "containsCIDR", "prefixLength", "masked", "family", "isCanonical",
        "isUnspecified", "isLoopback", "isLinkLocalMulticast", "isLinkLocalUnicast", "isGlobalUnicast",
        "format.named", "validate", "format.dns1123Label", "format.dns1123Subdomain", "format.dns1035Label", "format.qualifiedName",
        "format.dns1123LabelPrefix", "format.dns1123SubdomainPrefix", "format.dns1035LabelPrefix", "format.labelValue", "format.uri",
        "format.uuid", "format.byte", "format.date", "format.datetime",
        "optional.of", "optional.none", "optional.ofNonZeroValue", "hasValue", "value", "orValue", "or",
        "existsOne", "transformList", "transformMap", "transformMapEntry",
    ];

    private static readonly HashSet<string> Macros = ["all", "exists", "exists_one", "map", "filter"];

    private readonly CheckScope scope;
    private readonly List<CelIssue> parseErrors = [];
    private readonly List<CelIssue> checkErrors = [];
    private readonly List<CelIssue> validatorErrors = [];
    private readonly List<CelIssue> fakeLimits = [];
    private readonly List<Dictionary<string, CelType>> locals = [];

    private CelChecker(CheckScope scope) => this.scope = scope;

    /// <summary>Checks one expression as Kubernetes compiles it in a policy, with the declarations <paramref name="scope"/> gives.</summary>
    public static CelCheckResult Check(CelEnvironment environment, string expression, CheckScope scope)
    {
        CelParser.StartContext tree;
        try
        {
            tree = environment.Parse(expression);
        }
        catch (CelExpressionParserException e)
        {
            // The package's ANTLR listeners report "Line {line}:{column} {message}"; cel-go words them as "Syntax error: ...".
            var issues = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(SyntaxError).ToArray();
            return new CelCheckResult(expression, CelType.Unknown, issues, []);
        }
        catch (ArgumentNullException)
        {
            return new CelCheckResult(expression, CelType.Unknown, [new CelIssue(1, 0, "Syntax error: expression is empty")], []);
        }

        var checker = new CelChecker(scope);
        var type = checker.Expr(tree.expr());
        var errors = checker.parseErrors.Count > 0 ? checker.parseErrors
            : checker.checkErrors.Count > 0 ? checker.checkErrors
            : checker.validatorErrors;
        return new CelCheckResult(expression, type, errors, checker.fakeLimits);
    }

    private static CelIssue SyntaxError(string line)
    {
        var match = System.Text.RegularExpressions.Regex.Match(line, "^Line ([0-9]+):([0-9]+) (.*)$");
        return match.Success
            ? new CelIssue(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), "Syntax error: " + match.Groups[3].Value.Trim())
            : new CelIssue(1, 0, "Syntax error: " + line.Trim());
    }

    private CelType Expr(CelParser.ExprContext context)
    {
        var condition = Or(context.e);
        if (context.op is null)
        {
            return condition;
        }

        return Join(Or(context.e1), Expr(context.e2));
    }

    private CelType Or(CelParser.ConditionalOrContext context)
    {
        var first = And(context.e);
        foreach (var next in context._e1)
        {
            And(next);
        }

        return context._e1.Count > 0 ? CelType.Bool : first;
    }

    private CelType And(CelParser.ConditionalAndContext context)
    {
        var first = Relation(context.e);
        foreach (var next in context._e1)
        {
            Relation(next);
        }

        return context._e1.Count > 0 ? CelType.Bool : first;
    }

    private CelType Relation(CelParser.RelationContext context)
    {
        if (context.calc() is { } calc)
        {
            return Calc(calc);
        }

        Relation(context.relation(0));
        Relation(context.relation(1));
        return CelType.Bool;
    }

    private CelType Calc(CelParser.CalcContext context)
    {
        if (context.unary() is { } unary)
        {
            return Unary(unary);
        }

        return Arithmetic(Calc(context.calc(0)), Calc(context.calc(1)));
    }

    private CelType Unary(CelParser.UnaryContext context)
    {
        switch (context)
        {
            case CelParser.MemberExprContext member:
                return Member(member.member());
            case CelParser.LogicalNotContext not:
                Member(not.member());
                return CelType.Bool;
            case CelParser.NegateContext negate:
                var operand = Member(negate.member());
                return operand == CelType.Int || operand == CelType.Double || operand == CelType.Dyn ? operand : CelType.Unknown;
            default:
                return CelType.Unknown;
        }
    }

    private CelType Member(CelParser.MemberContext context) => context switch
    {
        CelParser.PrimaryExprContext primary => Primary(primary.primary()),
        CelParser.SelectContext select => Select(select),
        CelParser.MemberCallContext call => MemberCall(call),
        CelParser.IndexContext index => Index(index),
        _ => CelType.Unknown,
    };

    private CelType Select(CelParser.SelectContext context)
    {
        if (context.opt is not null)
        {
            fakeLimits.Add(At(context.op, "optional field selection '.?' (Kubernetes has cel-go's OptionalTypes; the Cel package reads it as '.')"));
        }

        return SelectField(Member(context.member()), context.id.Text, context.op);
    }

    private CelType SelectField(CelType receiver, string field, IToken at)
    {
        switch (receiver.Kind)
        {
            case "dyn":
                return CelType.Dyn;
            case "map":
                return receiver.Element!;
            case "object" when receiver.Fields is { } fields:
                if (fields.TryGetValue(field, out var type))
                {
                    return type;
                }

                checkErrors.Add(At(at, $"undefined field '{field}'"));
                return CelType.Unknown;
            case "int" or "uint" or "double" or "string" or "bool" or "bytes" or "null_type" or "list":
                checkErrors.Add(At(at, $"type '{receiver}' does not support field selection"));
                return CelType.Unknown;
            default:
                return CelType.Unknown;
        }
    }

    private CelType Index(CelParser.IndexContext context)
    {
        if (context.opt is not null)
        {
            fakeLimits.Add(At(context.op, "optional index '[?' (Kubernetes has cel-go's OptionalTypes; the Cel package does not)"));
        }

        var receiver = Member(context.member());
        Expr(context.index);
        return receiver.Kind switch
        {
            "list" or "map" => receiver.Element!,
            "dyn" => CelType.Dyn,
            _ => CelType.Unknown,
        };
    }

    private CelType MemberCall(CelParser.MemberCallContext context)
    {
        var name = context.id.Text;
        var arguments = context.args?._e.ToArray() ?? [];
        if (QualifiedNamespace(context.member()) is { } space)
        {
            foreach (var argument in arguments)
            {
                Expr(argument);
            }

            return Function($"{space}.{name}", context.open);
        }

        if (Macros.Contains(name) && arguments.Length is 2 or 3)
        {
            return Comprehension(context, name, arguments);
        }

        if (name is "existsOne" or "transformList" or "transformMap" or "transformMapEntry")
        {
            Member(context.member());
            fakeLimits.Add(At(context.open, $"the two-variable comprehension '{name}' (Kubernetes 1.32's ext.TwoVarComprehensions; the Cel package has none)"));
            return CelType.Unknown;
        }

        var receiver = Member(context.member());
        foreach (var argument in arguments)
        {
            Expr(argument);
        }

        if (name == "matches" && arguments.Length == 1)
        {
            CheckPattern(arguments[0]);
        }

        if (receiver.Name == AuthorizerType.Name)
        {
            fakeLimits.Add(At(context.open, $"the authorizer library ('{name}')"));
            return CelType.Unknown;
        }

        return Function(name, context.open);
    }

    /// <summary>all, exists, exists_one, map and filter on a receiver (parser/macro.go), and their two-variable forms.</summary>
    private CelType Comprehension(CelParser.MemberCallContext context, string name, CelParser.ExprContext[] arguments)
    {
        var receiver = Member(context.member());
        var variables = new List<string>();
        foreach (var argument in arguments.Take(arguments.Length - 1))
        {
            if (Unwrap(argument) is CelParser.PrimaryExprContext { } primary && primary.primary() is CelParser.IdentOrGlobalCallContext { op: null, leadingDot: null } ident)
            {
                variables.Add(ident.id.Text);
            }
            else
            {
                parseErrors.Add(At(Location(argument), "argument must be a simple name"));
                return CelType.Unknown;
            }
        }

        var element = receiver.Kind switch
        {
            "list" => receiver.Element!,
            "map" => receiver.Key!,
            "dyn" => CelType.Dyn,
            _ => CelType.Unknown,
        };
        if (arguments.Length == 3)
        {
            fakeLimits.Add(At(context.open, name == "map"
                ? "map() with a filter (three arguments; the Cel package has only map(x, expr))"
                : $"the two-variable comprehension {name}(k, v, ...) (Kubernetes 1.32's ext.TwoVarComprehensions; the Cel package has none)"));
        }
        else if (receiver.Kind == "map" && name is "map" or "filter")
        {
            fakeLimits.Add(At(context.open, $"{name}() over a map (the Cel package iterates its entries, not its keys)"));
        }

        locals.Add(variables.ToDictionary(v => v, _ => element, StringComparer.Ordinal));
        CelType result;
        try
        {
            var bodies = arguments.Skip(variables.Count).Select(Expr).ToArray();
            result = name switch
            {
                "map" => CelType.ListOf(bodies[^1]),
                "filter" => receiver.Kind == "list" ? receiver : CelType.ListOf(element),
                _ => CelType.Bool,
            };
        }
        finally
        {
            locals.RemoveAt(locals.Count - 1);
        }

        return result;
    }

    private CelType Primary(CelParser.PrimaryContext context)
    {
        switch (context)
        {
            case CelParser.IdentOrGlobalCallContext ident when ident.op is not null:
                return GlobalCall(ident);
            case CelParser.IdentOrGlobalCallContext ident:
                return Identifier(ident);
            case CelParser.NestedContext nested:
                return Expr(nested.e);
            case CelParser.CreateListContext list:
                return ListLiteral(list);
            case CelParser.CreateStructContext map:
                return MapLiteral(map);
            case CelParser.CreateMessageContext message:
                fakeLimits.Add(At(message.op, "a message literal"));
                foreach (var value in message.entries?.expr() ?? [])
                {
                    Expr(value);
                }

                return CelType.Unknown;
            case CelParser.ConstantLiteralContext constant:
                return constant.literal() switch
                {
                    CelParser.IntContext => CelType.Int,
                    CelParser.UintContext => CelType.Uint,
                    CelParser.DoubleContext => CelType.Double,
                    CelParser.StringContext => CelType.String,
                    CelParser.BytesContext => CelType.Bytes,
                    CelParser.BoolTrueContext or CelParser.BoolFalseContext => CelType.Bool,
                    CelParser.NullContext => CelType.Null,
                    _ => CelType.Unknown,
                };
            default:
                return CelType.Unknown;
        }
    }

    private CelType GlobalCall(CelParser.IdentOrGlobalCallContext context)
    {
        var name = context.id.Text;
        var arguments = context.args?._e.ToArray() ?? [];
        if (name == "has" && arguments.Length == 1)
        {
            // parser/macro.go MakeHas: the argument must be a field selection.
            if (Unwrap(arguments[0]) is CelParser.SelectContext { opt: null } select)
            {
                SelectField(Member(select.member()), select.id.Text, select.op);
                return CelType.Bool;
            }

            parseErrors.Add(At(Location(arguments[0]), "invalid argument to has() macro"));
            return CelType.Bool;
        }

        foreach (var argument in arguments)
        {
            Expr(argument);
        }

        if (name == "matches" && arguments.Length == 2)
        {
            CheckPattern(arguments[0]);
        }

        return Function(name, context.op);
    }

    private CelType Identifier(CelParser.IdentOrGlobalCallContext context)
    {
        var name = context.id.Text;
        if (context.leadingDot is null)
        {
            for (var i = locals.Count - 1; i >= 0; i--)
            {
                if (locals[i].TryGetValue(name, out var local))
                {
                    return local;
                }
            }
        }

        switch (name)
        {
            case "object" or "oldObject":
                return CelType.Dyn;
            case "request":
                return RequestType;
            case "namespaceObject":
                return NamespaceType;
            case "variables" when scope.Variables is { } declared:
                return CelType.Object("kubernetes.variables", declared);
            case "authorizer" when scope.HasAuthorizer:
                return AuthorizerType;
            case var type when TypeNames.Contains(type):
                return CelType.Type;
            default:
                checkErrors.Add(At(context.id, $"undeclared reference to '{name}' (in container '')"));
                return CelType.Unknown;
        }
    }

    private CelType ListLiteral(CelParser.CreateListContext context)
    {
        CelType? first = null;
        var reported = false;
        foreach (var element in context.elems?._elems ?? [])
        {
            if (element.opt is not null)
            {
                fakeLimits.Add(At(element.opt, "an optional list element '?' (Kubernetes has cel-go's OptionalTypes; the Cel package does not)"));
            }

            var type = Expr(element.e);
            if (first is null)
            {
                first = type;
            }
            else if (!reported && !first.IsEquivalent(type))
            {
                // cel/validator.go homogeneousAggregateLiteralValidator: the first mismatch of a list is reported.
                validatorErrors.Add(At(Location(element.e), $"expected type '{first}' but found '{type}'"));
                reported = true;
            }
        }

        return CelType.ListOf(first ?? CelType.Dyn);
    }

    private CelType MapLiteral(CelParser.CreateStructContext context)
    {
        CelType? keyType = null;
        CelType? valueType = null;
        var entries = context.entries;
        for (var i = 0; i < (entries?._keys.Count ?? 0); i++)
        {
            var key = entries!._keys[i];
            if (key.opt is not null)
            {
                fakeLimits.Add(At(key.opt, "an optional map entry '?' (Kubernetes has cel-go's OptionalTypes; the Cel package does not)"));
            }

            var keyOfEntry = Expr(key.e);
            var valueOfEntry = Expr(entries._values[i]);
            if (keyType is null || valueType is null)
            {
                (keyType, valueType) = (keyOfEntry, valueOfEntry);
                continue;
            }

            if (!keyType.IsEquivalent(keyOfEntry))
            {
                validatorErrors.Add(At(Location(key.e), $"expected type '{keyType}' but found '{keyOfEntry}'"));
            }

            if (!valueType.IsEquivalent(valueOfEntry))
            {
                validatorErrors.Add(At(Location(entries._values[i]), $"expected type '{valueType}' but found '{valueOfEntry}'"));
            }
        }

        return CelType.MapOf(keyType ?? CelType.Dyn, valueType ?? CelType.Dyn);
    }

    /// <summary>A function by name: what both have gives its type; what only Kubernetes has is a fake limit; anything else is undeclared.</summary>
    private CelType Function(string name, IToken at)
    {
        if (Supported.TryGetValue(name, out var type))
        {
            return type;
        }

        if (KubernetesOnly.Contains(name))
        {
            fakeLimits.Add(At(at, $"the function '{name}' (Kubernetes 1.32 declares it; the Cel package does not have it)"));
        }
        else
        {
            checkErrors.Add(At(at, $"undeclared reference to '{name}' (in container '')"));
        }

        return CelType.Unknown;
    }

    /// <summary>cel/validator.go ValidateRegexLiterals: a literal pattern Go's regexp.Compile refuses is "invalid matches argument".</summary>
    private void CheckPattern(CelParser.ExprContext argument)
    {
        if (Unwrap(argument) is not CelParser.PrimaryExprContext { } primary
            || primary.primary() is not CelParser.ConstantLiteralContext { } constant
            || constant.literal() is not CelParser.StringContext literal)
        {
            return;
        }

        string pattern;
        try
        {
            pattern = (string)StringHelpers.Unescape(literal.tok.Text, isBytes: false);
        }
        catch (CelException)
        {
            return;
        }

        switch (Re2Pattern.Check(pattern))
        {
            case Re2Verdict.Invalid:
                validatorErrors.Add(At(literal.Start, "invalid matches argument"));
                break;
            case Re2Verdict.Untranslatable:
                fakeLimits.Add(At(literal.Start, $"the pattern {ApiStatusException.GoQuote(pattern)} (valid RE2 the fake cannot translate to .NET)"));
                break;
        }
    }

    /// <summary>The namespace of a qualified function name (<c>optional.of</c>, <c>sets.contains</c>), when the receiver is one.</summary>
    private string? QualifiedNamespace(CelParser.MemberContext receiver) =>
        receiver is CelParser.PrimaryExprContext { } primary
        && primary.primary() is CelParser.IdentOrGlobalCallContext { op: null } ident
        && Namespaces.Contains(ident.id.Text)
        && !locals.Any(l => l.ContainsKey(ident.id.Text))
            ? ident.id.Text
            : null;

    /// <summary>The member an expression consists of, when it has no operators (parentheses included, as cel-go builds no node for them).</summary>
    private static CelParser.MemberContext? Unwrap(CelParser.ExprContext expression)
    {
        while (true)
        {
            if (expression.op is not null || expression.e._e1.Count > 0 || expression.e.e._e1.Count > 0)
            {
                return null;
            }

            var relation = expression.e.e.e;
            if (relation.calc() is not { } calc || calc.unary() is not CelParser.MemberExprContext { } unary)
            {
                return null;
            }

            var member = unary.member();
            if (member is CelParser.PrimaryExprContext { } primary && primary.primary() is CelParser.NestedContext { } nested)
            {
                expression = nested.e;
                continue;
            }

            return member;
        }
    }

    /// <summary>Where cel-go places an expression's node: the token its parser takes the node's id from.</summary>
    private static IToken Location(ParserRuleContext context) => context switch
    {
        CelParser.ExprContext { op: { } op } => op,
        CelParser.ExprContext e => Location(e.e),
        CelParser.ConditionalOrContext { _ops.Count: > 0 } or => or._ops[0],
        CelParser.ConditionalOrContext or => Location(or.e),
        CelParser.ConditionalAndContext { _ops.Count: > 0 } and => and._ops[0],
        CelParser.ConditionalAndContext and => Location(and.e),
        CelParser.RelationContext { op: { } op } => op,
        CelParser.RelationContext relation => Location(relation.calc()),
        CelParser.CalcContext { op: { } op } => op,
        CelParser.CalcContext calc => Location(calc.unary()),
        CelParser.MemberExprContext member => Location(member.member()),
        CelParser.LogicalNotContext not => not._ops.Count % 2 == 1 ? not._ops[0] : Location(not.member()),
        CelParser.NegateContext negate => negate._ops.Count % 2 == 1 ? negate._ops[0] : Location(negate.member()),
        CelParser.SelectContext select => select.op,
        CelParser.MemberCallContext call => call.open,
        CelParser.IndexContext index => index.op,
        CelParser.PrimaryExprContext primary => Location(primary.primary()),
        CelParser.IdentOrGlobalCallContext ident => ident.op ?? ident.id,
        CelParser.NestedContext nested => Location(nested.e),
        CelParser.CreateListContext list => list.op,
        CelParser.CreateStructContext map => map.op,
        CelParser.CreateMessageContext message => message.op,
        CelParser.ConstantLiteralContext constant => constant.literal().Start,
        _ => context.Start,
    };

    private static CelIssue At(IToken token, string message) => new(token.Line, token.Column, message);

    private static CelType Join(CelType left, CelType right) =>
        left.IsUnknown || right.IsUnknown ? CelType.Unknown
        : left.IsEquivalent(right) ? left
        : left == CelType.Dyn || right == CelType.Dyn ? CelType.Dyn
        : CelType.Unknown;

    /// <summary>An arithmetic operator's type: both operands alike, or the typed one beside a dyn.</summary>
    private static CelType Arithmetic(CelType left, CelType right) =>
        left.IsUnknown || right.IsUnknown ? CelType.Unknown
        : left.IsEquivalent(right) ? left
        : left == CelType.Dyn ? right
        : right == CelType.Dyn ? left
        : CelType.Unknown;

    private static readonly CelType AuthorizerType = CelType.Object("kubernetes.authorization.Authorizer", new Dictionary<string, CelType>());

    /// <summary>k8s.io/apiserver pkg/admission/plugin/cel/compile.go BuildRequestType.</summary>
    private static readonly CelType RequestType = BuildRequestType();

    /// <summary>compile.go BuildNamespaceType.</summary>
    private static readonly CelType NamespaceType = BuildNamespaceType();

    private static CelType BuildRequestType()
    {
        var gvk = CelType.Object("kubernetes.GroupVersionKind", new Dictionary<string, CelType> { ["group"] = CelType.String, ["version"] = CelType.String, ["kind"] = CelType.String });
        var gvr = CelType.Object("kubernetes.GroupVersionResource", new Dictionary<string, CelType> { ["group"] = CelType.String, ["version"] = CelType.String, ["resource"] = CelType.String });
        var userInfo = CelType.Object("kubernetes.UserInfo", new Dictionary<string, CelType>
        {
            ["username"] = CelType.String, ["uid"] = CelType.String, ["groups"] = CelType.ListOf(CelType.String),
            ["extra"] = CelType.MapOf(CelType.String, CelType.ListOf(CelType.String)),
        });
        return CelType.Object("kubernetes.AdmissionRequest", new Dictionary<string, CelType>
        {
            ["kind"] = gvk, ["resource"] = gvr, ["subResource"] = CelType.String, ["requestKind"] = gvk, ["requestResource"] = gvr,
            ["requestSubResource"] = CelType.String, ["name"] = CelType.String, ["namespace"] = CelType.String, ["operation"] = CelType.String,
            ["userInfo"] = userInfo, ["dryRun"] = CelType.Bool, ["options"] = CelType.Dyn,
        });
    }

    private static CelType BuildNamespaceType()
    {
        var strings = CelType.ListOf(CelType.String);
        var labels = CelType.MapOf(CelType.String, CelType.String);
        var condition = CelType.Object("kubernetes.NamespaceCondition", new Dictionary<string, CelType>
        {
            ["status"] = CelType.String, ["type"] = CelType.String, ["lastTransitionTime"] = CelType.Timestamp, ["message"] = CelType.String, ["reason"] = CelType.String,
        });
        return CelType.Object("kubernetes.Namespace", new Dictionary<string, CelType>
        {
            ["metadata"] = CelType.Object("kubernetes.NamespaceMetadata", new Dictionary<string, CelType>
            {
                ["name"] = CelType.String, ["generateName"] = CelType.String, ["namespace"] = CelType.String, ["labels"] = labels, ["annotations"] = labels,
                ["UID"] = CelType.String, ["creationTimestamp"] = CelType.Timestamp, ["deletionGracePeriodSeconds"] = CelType.Int,
                ["deletionTimestamp"] = CelType.Timestamp, ["generation"] = CelType.Int, ["resourceVersion"] = CelType.String, ["finalizers"] = strings,
            }),
            ["spec"] = CelType.Object("kubernetes.NamespaceSpec", new Dictionary<string, CelType> { ["finalizers"] = strings }),
            ["status"] = CelType.Object("kubernetes.NamespaceStatus", new Dictionary<string, CelType> { ["conditions"] = CelType.ListOf(condition), ["phase"] = CelType.String }),
        });
    }
}

/// <summary>What the expressions of one policy may name: whether <c>authorizer</c> is declared, and the variables so far (null: no <c>variables</c> at all).</summary>
internal sealed record CheckScope(bool HasAuthorizer, IReadOnlyDictionary<string, CelType>? Variables);

/// <summary>One problem at a 1-based line and 0-based column of an expression.</summary>
internal sealed record CelIssue(int Line, int Column, string Message);

/// <summary>The checker's verdict on one expression: cel-go's errors (if any), its type, and what the fake cannot evaluate.</summary>
internal sealed record CelCheckResult(string Expression, CelType Type, IReadOnlyList<CelIssue> Errors, IReadOnlyList<CelIssue> FakeLimits)
{
    /// <summary>cel-go's Issues.String(): each error as common.Error ToDisplayString renders it, by position, one per line.</summary>
    public static string Display(string expression, IEnumerable<CelIssue> issues)
    {
        var lines = expression.Split('\n');
        return string.Join("\n", issues.OrderBy(i => i.Line).ThenBy(i => i.Column).Select(issue =>
        {
            var text = $"ERROR: <input>:{issue.Line}:{issue.Column + 1}: {issue.Message}";
            if (issue.Line >= 1 && issue.Line <= lines.Length)
            {
                var snippet = lines[issue.Line - 1].Replace('\t', ' ');
                text += "\n | " + snippet + "\n | " + new string('.', Math.Min(issue.Column, snippet.Length)) + "^";
            }

            return text;
        }));
    }
}
