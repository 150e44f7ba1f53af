using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// What the registry does to a ValidatingAdmissionPolicy or binding on every write, whoever writes it:
/// the defaults (k8s.io/kubernetes pkg/apis/admissionregistration/v1/defaults.go: failurePolicy Fail,
/// matchPolicy Equivalent, empty namespace and object selectors, rule scope "*"), then the validation
/// (pkg/apis/admissionregistration/validation/validation.go ValidateValidatingAdmissionPolicy and
/// ValidateValidatingAdmissionPolicyBinding), whose CEL part compiles every expression as the API server
/// does (<see cref="CelChecker"/>): a refusal is the real 422 <c>Invalid</c>, with
/// <c>Invalid value: "...": compilation failed: ERROR: &lt;input&gt;:1:5: ...</c> for what cel-go refuses. What
/// Kubernetes accepts but the fake could not evaluate faithfully (parameters, and the expression forms
/// <see cref="CelChecker"/> lists) is refused too, with a message that says so.
/// </summary>
internal sealed partial class PolicyStrategy(CelEvaluator evaluator)
{
    private const string Group = "admissionregistration.k8s.io";

    private static readonly string[] FailurePolicies = ["Fail", "Ignore"];
    private static readonly string[] Operations = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"];
    private static readonly string[] Reasons = ["Forbidden", "Invalid", "RequestEntityTooLarge", "Unauthorized"];
    private static readonly string[] Actions = ["Audit", "Deny", "Warn"];
    private static readonly string[] MatchPolicies = ["Equivalent", "Exact"];

    /// <summary>Defaults and validates <paramref name="next"/> if it is a policy or a binding; other objects pass untouched.</summary>
    public void Prepare(ResourceKind kind, JsonObject next)
    {
        if (kind.Type.Group != Group || kind.Type.Version != "v1")
        {
            return;
        }

        var name = JsonFields.Text(next, "metadata", "name") ?? "";
        var spec = next["spec"] as JsonObject;
        if (spec is null)
        {
            spec = [];
            next["spec"] = spec;
        }

        if (kind.Type == ValidatingPolicyAdmission.Policies)
        {
            spec["failurePolicy"] ??= "Fail";
            DefaultMatchResources(spec["matchConstraints"] as JsonObject);
            var errors = ValidatePolicy(spec);
            if (errors.Count > 0)
            {
                throw ApiStatusException.Invalid(Group, "ValidatingAdmissionPolicy", name, errors);
            }
        }
        else if (kind.Type == ValidatingPolicyAdmission.Bindings)
        {
            DefaultMatchResources(spec["matchResources"] as JsonObject);
            var errors = ValidateBinding(spec);
            if (errors.Count > 0)
            {
                throw ApiStatusException.Invalid(Group, "ValidatingAdmissionPolicyBinding", name, errors);
            }
        }
    }

    private static void DefaultMatchResources(JsonObject? match)
    {
        if (match is null)
        {
            return;
        }

        match["matchPolicy"] ??= "Equivalent";
        match["namespaceSelector"] ??= new JsonObject();
        match["objectSelector"] ??= new JsonObject();
        foreach (var list in (string[])["resourceRules", "excludeResourceRules"])
        {
            foreach (var rule in (match[list] as JsonArray ?? []).OfType<JsonObject>())
            {
                rule["scope"] ??= "*";
            }
        }
    }

    private List<FieldError> ValidatePolicy(JsonObject spec)
    {
        var errors = new List<FieldError>();
        var failurePolicy = JsonFields.Text(spec, "failurePolicy") ?? "";
        if (!FailurePolicies.Contains(failurePolicy))
        {
            errors.Add(FieldError.NotSupported("spec.failurePolicy", failurePolicy, FailurePolicies));
        }

        if (spec["paramKind"] is not null)
        {
            errors.Add(new FieldError("FieldValueNotSupported", "spec.paramKind", "the fake Kubernetes API does not support policy parameters (paramKind, paramRef)"));
        }

        if (spec["matchConstraints"] is not JsonObject constraints)
        {
            errors.Add(FieldError.Required("spec.matchConstraints"));
        }
        else
        {
            errors.AddRange(ValidateMatchResources(constraints, "spec.matchConstraints"));
            if (constraints["resourceRules"] is not JsonArray { Count: > 0 })
            {
                errors.Add(FieldError.Required("spec.matchConstraints.resourceRules"));
            }
        }

        var variables = spec["variables"] as JsonArray ?? [];
        var declared = variables.Count > 0 ? new Dictionary<string, CelType>(StringComparer.Ordinal) : null;
        var conditions = (spec["matchConditions"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
        for (var i = 0; i < conditions.Length; i++)
        {
            var path = $"spec.matchConditions[{i}]";
            errors.AddRange(Expression(conditions[i], "expression", $"{path}.expression", CelType.Bool, authorizer: true, declared: null, required: true));
            if (JsonFields.Text(conditions[i], "name") is not { Length: > 0 })
            {
                errors.Add(FieldError.Required($"{path}.name"));
            }
        }

        for (var i = 0; i < variables.Count; i++)
        {
            var variable = variables[i] as JsonObject ?? [];
            var path = $"spec.variables[{i}]";
            var name = JsonFields.Text(variable, "name") ?? "";
            if (name.Trim().Length == 0)
            {
                errors.Add(FieldError.Required($"{path}.name", "name is not specified"));
            }
            else if (!Identifier().IsMatch(name))
            {
                errors.Add(FieldError.Invalid($"{path}.name", name, "name is not a valid CEL identifier"));
            }

            var expression = JsonFields.Text(variable, "expression") ?? "";
            if (expression.Trim().Length == 0)
            {
                errors.Add(FieldError.Required($"{path}.expression", "expression is not specified"));
                continue;
            }

            var result = CelChecker.Check(evaluator.Environment, expression, new CheckScope(true, new Dictionary<string, CelType>(declared!, StringComparer.Ordinal)));
            errors.AddRange(Verdict(result, $"{path}.expression", wanted: null));
            declared![name] = result.Errors.Count > 0 ? CelType.Unknown : result.Type;
        }

        var validations = (spec["validations"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
        var audits = (spec["auditAnnotations"] as JsonArray ?? []).OfType<JsonObject>().ToArray();
        if (validations.Length == 0 && audits.Length == 0)
        {
            errors.Add(FieldError.Required("spec.validations", "validations or auditAnnotations must contain at least one item"));
            errors.Add(FieldError.Required("spec.auditAnnotations", "validations or auditAnnotations must contain at least one item"));
            return errors;
        }

        for (var i = 0; i < validations.Length; i++)
        {
            var path = $"spec.validations[{i}]";
            var validation = validations[i];
            if ((JsonFields.Text(validation, "expression") ?? "").Trim().Length == 0)
            {
                errors.Add(FieldError.Required($"{path}.expression", "expression is not specified"));
            }
            else
            {
                errors.AddRange(Expression(validation, "expression", $"{path}.expression", CelType.Bool, authorizer: true, declared, required: true));
            }

            if (JsonFields.Text(validation, "messageExpression") is { } messageExpression)
            {
                if (messageExpression.Trim().Length == 0)
                {
                    errors.Add(FieldError.Invalid($"{path}.messageExpression", messageExpression, "must be non-empty if specified"));
                }
                else
                {
                    // validateMessageExpression: no authorizer.
                    errors.AddRange(Expression(validation, "messageExpression", $"{path}.messageExpression", CelType.String, authorizer: false, declared, required: true));
                }
            }

            if (JsonFields.Text(validation, "message") is { } message)
            {
                if (message.Length > 0 && message.Trim().Length == 0)
                {
                    errors.Add(FieldError.Invalid($"{path}.message", message, "message must be non-empty if specified"));
                }
                else if (message.Trim().Contains('\n', StringComparison.Ordinal))
                {
                    errors.Add(FieldError.Invalid($"{path}.message", message, "message must not contain line breaks"));
                }
            }

            if (JsonFields.Text(validation, "reason") is { } reason && !Reasons.Contains(reason))
            {
                errors.Add(FieldError.NotSupported($"{path}.reason", reason, Reasons));
            }
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < audits.Length; i++)
        {
            var path = $"spec.auditAnnotations[{i}]";
            var key = JsonFields.Text(audits[i], "key") ?? "";
            if (key.Length == 0)
            {
                errors.Add(FieldError.Required($"{path}.key"));
            }
            else if (!keys.Add(key))
            {
                errors.Add(new FieldError("FieldValueDuplicate", $"{path}.key", $"Duplicate value: {ApiStatusException.GoQuote(key)}"));
            }

            errors.AddRange(Expression(audits[i], "valueExpression", $"{path}.valueExpression", null, authorizer: true, declared, required: true, auditAnnotation: true));
        }

        return errors;
    }

    private static List<FieldError> ValidateBinding(JsonObject spec)
    {
        var errors = new List<FieldError>();
        if (JsonFields.Text(spec, "policyName") is not { Length: > 0 })
        {
            errors.Add(FieldError.Required("spec.policyName"));
        }

        if (spec["paramRef"] is not null)
        {
            errors.Add(new FieldError("FieldValueNotSupported", "spec.paramRef", "the fake Kubernetes API does not support policy parameters (paramKind, paramRef)"));
        }

        if (spec["matchResources"] is JsonObject match)
        {
            errors.AddRange(ValidateMatchResources(match, "spec.matchResources"));
        }

        // validateValidationActions.
        var actions = (spec["validationActions"] as JsonArray ?? []).Select(a => a?.GetValue<string>() ?? "").ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < actions.Length; i++)
        {
            if (!Actions.Contains(actions[i]))
            {
                errors.Add(FieldError.NotSupported($"spec.validationActions[{i}]", actions[i], Actions));
            }

            if (!seen.Add(actions[i]))
            {
                errors.Add(new FieldError("FieldValueDuplicate", $"spec.validationActions[{i}]", $"Duplicate value: {ApiStatusException.GoQuote(actions[i])}"));
            }
        }

        if (seen.Contains("Deny") && seen.Contains("Warn"))
        {
            errors.Add(new FieldError("FieldValueInvalid", "spec.validationActions", $"Invalid value: []admissionregistration.ValidationAction{{{string.Join(", ", actions.Select(ApiStatusException.GoQuote))}}}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)"));
        }

        if (seen.Count == 0)
        {
            errors.Add(FieldError.Required("spec.validationActions", "at least one validation action is required"));
        }

        return errors;
    }

    /// <summary>validateMatchResources and validateRuleWithOperations, for the rules' required lists and operations.</summary>
    private static List<FieldError> ValidateMatchResources(JsonObject match, string path)
    {
        var errors = new List<FieldError>();
        var matchPolicy = JsonFields.Text(match, "matchPolicy") ?? "";
        if (!MatchPolicies.Contains(matchPolicy))
        {
            errors.Add(FieldError.NotSupported($"{path}.matchPolicy", matchPolicy, MatchPolicies));
        }

        foreach (var list in (string[])["resourceRules", "excludeResourceRules"])
        {
            var rules = (match[list] as JsonArray ?? []).OfType<JsonObject>().ToArray();
            for (var i = 0; i < rules.Length; i++)
            {
                var rulePath = $"{path}.{list}[{i}]";
                foreach (var field in (string[])["operations", "apiGroups", "apiVersions", "resources"])
                {
                    if (rules[i][field] is not JsonArray { Count: > 0 })
                    {
                        errors.Add(FieldError.Required($"{rulePath}.{field}"));
                    }
                }

                foreach (var (operation, index) in (rules[i]["operations"] as JsonArray ?? []).Select((o, index) => (o?.GetValue<string>() ?? "", index)))
                {
                    if (!Operations.Contains(operation))
                    {
                        errors.Add(FieldError.NotSupported($"{rulePath}.operations[{index}]", operation, Operations));
                    }
                }
            }
        }

        return errors;
    }

    /// <summary>One expression compiled as CompileCELExpression would, in the policy's declarations.</summary>
    private IEnumerable<FieldError> Expression(JsonObject holder, string field, string path, CelType? wanted, bool authorizer, IReadOnlyDictionary<string, CelType>? declared, bool required, bool auditAnnotation = false)
    {
        var expression = JsonFields.Text(holder, field) ?? "";
        if (expression.Trim().Length == 0)
        {
            return required ? [FieldError.Required(path)] : [];
        }

        var result = CelChecker.Check(evaluator.Environment, expression, new CheckScope(authorizer, declared));
        return Verdict(result, path, wanted, auditAnnotation);
    }

    private static IEnumerable<FieldError> Verdict(CelCheckResult result, string path, CelType? wanted, bool auditAnnotation = false)
    {
        if (result.Errors.Count > 0)
        {
            return [FieldError.Invalid(path, result.Expression, "compilation failed: " + CelCheckResult.Display(result.Expression, result.Errors))];
        }

        if (!result.Type.IsUnknown)
        {
            if (wanted is not null && !result.Type.IsEquivalent(wanted))
            {
                return [FieldError.Invalid(path, result.Expression, $"must evaluate to {wanted} but got {result.Type}")];
            }

            if (auditAnnotation && result.Type != CelType.String && result.Type != CelType.Null)
            {
                return [FieldError.Invalid(path, result.Expression, $"must evaluate to one of [string null_type] but got {result.Type}")];
            }
        }

        return result.FakeLimits.Count > 0
            ? [FieldError.Invalid(path, result.Expression, "the fake Kubernetes API cannot evaluate this faithfully with the Cel package, though Kubernetes 1.32 accepts it: " + CelCheckResult.Display(result.Expression, result.FakeLimits))]
            : [];
    }

    [GeneratedRegex("^[_a-zA-Z][_a-zA-Z0-9]*$")]
    private static partial Regex Identifier();
}
