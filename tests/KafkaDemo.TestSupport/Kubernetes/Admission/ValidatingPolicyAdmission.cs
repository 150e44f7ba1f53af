using System.Net;
using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>
/// The ValidatingAdmissionPolicy plugin (k8s.io/apiserver v0.32.13 pkg/admission/plugin/policy/validating:
/// dispatcher.go Dispatch, validator.go Validate, plugin.go compilePolicy), run on every write that comes
/// through the API, after authorization and before anything is stored, for every user. For each stored
/// policy whose <c>matchConstraints</c> select the request, each binding naming it whose
/// <c>matchResources</c> select it too is judged: the policy's <c>matchConditions</c> (any false skips the
/// binding; errors without a false follow failurePolicy), then every validation, with the policy's
/// <c>variables</c> evaluated when first used, then the <c>auditAnnotations</c>. A validation that is false
/// is denied with its messageExpression's result, its message, or "failed expression: ..."; one that fails
/// follows failurePolicy (Fail: denied with the error; Ignore: admitted). The binding's validationActions
/// decide what a denial does: Deny refuses the request, Warn adds a <c>Warning</c> header, Audit an audit
/// annotation. The first Deny is the answer, a Status with "is forbidden:" and, by default, 422 Invalid.
/// Policies take effect at once (the real plugin re-reads them within about a second), and policies and
/// bindings themselves are never judged.
/// </summary>
internal sealed class ValidatingPolicyAdmission(ObjectStore store, KindRegistry kinds, CelEvaluator evaluator)
{
    private const string Group = "admissionregistration.k8s.io";
    private const int MaxMessageBytes = 5 * 1024;

    public static readonly ResourceType Policies = ResourceType.ValidatingAdmissionPolicies;
    public static readonly ResourceType Bindings = ResourceType.ValidatingAdmissionPolicyBindings;

    public void Validate(AdmissionAttributes attributes)
    {
        // rules.go IsExemptAdmissionConfigurationResource: admission configuration is never subject to policies.
        if (attributes.Kind.Type.Group == Group)
        {
            return;
        }

        var denied = new List<Decision>();
        var namespaceObject = NamespaceOf(attributes);
        var policies = store.List(Policies.Group, Policies.Plural, null).Items;
        var bindings = store.List(Bindings.Group, Bindings.Plural, null).Items;
        foreach (var policy in policies)
        {
            var policyName = JsonFields.Text(policy, "metadata", "name") ?? "";
            var spec = policy["spec"] as JsonObject ?? [];
            if (!PolicyMatcher.Matches(spec["matchConstraints"] as JsonObject ?? [], attributes, namespaceObject, kinds))
            {
                continue;
            }

            var annotations = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var binding in bindings.Where(b => JsonFields.Text(b, "spec", "policyName") == policyName))
            {
                var bindingName = JsonFields.Text(binding, "metadata", "name") ?? "";
                if (!PolicyMatcher.Matches(binding["spec"]?["matchResources"] as JsonObject, attributes, namespaceObject, kinds))
                {
                    continue;
                }

                var actions = JsonFields.Strings(binding["spec"], "validationActions");
                var (decisions, audits) = new Evaluation(evaluator, spec, attributes, attributes.Kind.Type == ResourceType.Namespaces ? null : namespaceObject).Run();
                for (var index = 0; index < decisions.Count; index++)
                {
                    if (decisions[index] is not { } decision)
                    {
                        continue;
                    }

                    foreach (var action in actions)
                    {
                        switch (action)
                        {
                            case "Deny":
                                denied.Add(decision with { Policy = policyName, Binding = bindingName });
                                break;
                            case "Warn":
                                attributes.Context.Request.AddWarning($"Validation failed for ValidatingAdmissionPolicy '{policyName}' with binding '{bindingName}': {decision.Message}");
                                break;
                            case "Audit":
                                attributes.Context.Request.AddAuditAnnotation("validation.policy.admission.k8s.io/validation_failure", AuditValue(decision.Message, policyName, bindingName, index, actions));
                                break;
                        }
                    }
                }

                foreach (var audit in audits)
                {
                    if (audit.Error is { } failure)
                    {
                        denied.Add(new Decision(failure, "") { Policy = policyName, Binding = bindingName });
                    }
                    else if (audit.Value is { } value && !(annotations.TryGetValue(audit.Key, out var seen) && seen.Contains(value)))
                    {
                        annotations.TryAdd(audit.Key, []);
                        annotations[audit.Key].Add(value);
                    }
                }
            }

            // dispatcher.go auditAnnotationCollector.publish: "{policy}/{key}", distinct values joined with ", ".
            foreach (var (key, values) in annotations)
            {
                attributes.Context.Request.AddAuditAnnotation($"{policyName}/{key}", string.Join(", ", values));
            }
        }

        if (denied.Count > 0)
        {
            throw Denial(attributes, denied[0]);
        }
    }

    /// <summary>The namespace a namespaced request is in, trimmed as cel.CreateNamespaceObject trims it; null for cluster scope.</summary>
    private JsonObject? NamespaceOf(AdmissionAttributes attributes)
    {
        if (string.IsNullOrEmpty(attributes.Namespace) || store.Get(ObjectKey.Of(ResourceType.Namespaces, null, attributes.Namespace)) is not { } ns)
        {
            return null;
        }

        var metadata = ns["metadata"] as JsonObject ?? [];
        var trimmed = new JsonObject();
        foreach (var field in (string[])["name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "finalizers"])
        {
            if (metadata[field] is { } value)
            {
                trimmed[field] = value.DeepClone();
            }
        }

        return new JsonObject { ["metadata"] = trimmed, ["spec"] = ns["spec"]?.DeepClone(), ["status"] = ns["status"]?.DeepClone() };
    }

    /// <summary>
    /// dispatcher.go: "ValidatingAdmissionPolicy '{p}' with binding '{b}' denied request: {message}", through
    /// admission.NewForbidden (the request's name, else the object's name or generateName), with the
    /// decision's reason (Invalid by default) and its code, and the message as the one cause.
    /// </summary>
    private static ApiStatusException Denial(AdmissionAttributes attributes, Decision decision)
    {
        var message = $"ValidatingAdmissionPolicy '{decision.Policy}' with binding '{decision.Binding}' denied request: {decision.Message}";
        var name = attributes.Name.Length > 0 ? attributes.Name
            : JsonFields.Text(attributes.Object, "metadata", "name") is { Length: > 0 } objectName ? objectName
            : JsonFields.Text(attributes.Object, "metadata", "generateName") is { Length: > 0 } generateName ? generateName
            : "Unknown";
        var reason = decision.Reason.Length == 0 ? "Invalid" : decision.Reason;
        var code = reason switch
        {
            "Forbidden" => HttpStatusCode.Forbidden,
            "Unauthorized" => HttpStatusCode.Unauthorized,
            "RequestEntityTooLarge" => HttpStatusCode.RequestEntityTooLarge,
            _ => (HttpStatusCode)422,
        };
        return ApiStatusException.ForbiddenFor(attributes.Kind.Type.Group, attributes.Kind.Type.Plural, name, message).WithReason(reason, code, new JsonObject { ["message"] = message });
    }

    /// <summary>dispatcher.go publishValidationFailureAnnotation: a JSON list of one failure.</summary>
    private static string AuditValue(string message, string policy, string binding, int index, string[] actions) =>
        JsonResponse.Serialize(new JsonArray(new JsonObject
        {
            ["message"] = message,
            ["policy"] = policy,
            ["binding"] = binding,
            ["expressionIndex"] = index,
            ["validationActions"] = new JsonArray(actions.Select(a => (JsonNode)a).ToArray()),
        }));

    /// <summary>A validation's denial: its message and reason ("" for Invalid), and the policy and binding it came from.</summary>
    private sealed record Decision(string Message, string Reason)
    {
        public string Policy { get; init; } = "";

        public string Binding { get; init; } = "";
    }

    /// <summary>An audit annotation's outcome: a value to publish, nothing (null or empty), or an error that denies.</summary>
    private sealed record AuditOutcome(string Key, string? Value, string? Error);

    /// <summary>One policy judged for one binding (validator.go Validate): match conditions, validations, audit annotations.</summary>
    private sealed class Evaluation
    {
        private readonly CelEvaluator evaluator;
        private readonly JsonObject spec;
        private readonly bool failClosed;
        private readonly Dictionary<string, object?> activation;

        public Evaluation(CelEvaluator evaluator, JsonObject spec, AdmissionAttributes attributes, JsonObject? namespaceObject)
        {
            this.evaluator = evaluator;
            this.spec = spec;
            failClosed = JsonFields.Text(spec, "failurePolicy") != "Ignore";
            activation = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["object"] = CelValues.From(attributes.Object),
                ["oldObject"] = CelValues.From(attributes.OldObject),
                ["request"] = CelValues.From(Request(attributes)),
                ["namespaceObject"] = CelValues.From(namespaceObject),
            };
            var declared = (spec["variables"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(v => (Name: JsonFields.Text(v, "name") ?? "", Expression: JsonFields.Text(v, "expression") ?? ""))
                .Select(v => (v.Name, (Func<object?>)(() => evaluator.Evaluate(v.Expression, activation))))
                .ToArray();
            activation["variables"] = new LazyVariables(declared);
        }

        /// <summary>The denials by validation index (null where admitted), and the audit annotations; nothing when a match condition is false.</summary>
        public (IReadOnlyList<Decision?> Decisions, IReadOnlyList<AuditOutcome> Audits) Run()
        {
            var conditionErrors = new List<string>();
            foreach (var condition in (spec["matchConditions"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var expression = JsonFields.Text(condition, "expression") ?? "";
                switch (Boolean(expression, out var error))
                {
                    case false:
                        return ([], []);
                    case null:
                        conditionErrors.Add(error!);
                        break;
                }
            }

            if (conditionErrors.Count > 0)
            {
                // matchconditions/matcher.go: errors and no false; Fail denies with the aggregated errors, Ignore skips.
                return failClosed ? ([new Decision(ApiStatusException.Aggregate(conditionErrors), "")], []) : ([], []);
            }

            var decisions = new List<Decision?>();
            foreach (var validation in (spec["validations"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var expression = JsonFields.Text(validation, "expression") ?? "";
                switch (Boolean(expression, out var error))
                {
                    case true:
                        decisions.Add(null);
                        break;
                    case null:
                        decisions.Add(failClosed ? new Decision(error!, "") : null);
                        break;
                    case false:
                        decisions.Add(new Decision(DenialMessage(validation, expression), JsonFields.Text(validation, "reason") ?? ""));
                        break;
                }
            }

            return (decisions, AuditAnnotations());
        }

        /// <summary>validator.go: a trimmed, single-line string of at most 5 KiB from messageExpression, else the message, else the expression.</summary>
        private string DenialMessage(JsonObject validation, string expression)
        {
            if (JsonFields.Text(validation, "messageExpression") is { Length: > 0 } messageExpression)
            {
                try
                {
                    if (evaluator.Evaluate(messageExpression, activation) is string text
                        && text.Trim() is { Length: > 0 and <= MaxMessageBytes } trimmed
                        && System.Text.Encoding.UTF8.GetByteCount(trimmed) <= MaxMessageBytes && !trimmed.Contains('\n', StringComparison.Ordinal))
                    {
                        return trimmed;
                    }
                }
                catch (CelEvaluationException)
                {
                    // A messageExpression that fails is only logged; the fallback follows.
                }
            }

            return JsonFields.Text(validation, "message")?.Trim() is { Length: > 0 } message ? message : $"failed expression: {expression.Trim()}";
        }

        private List<AuditOutcome> AuditAnnotations()
        {
            var outcomes = new List<AuditOutcome>();
            foreach (var annotation in (spec["auditAnnotations"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var key = JsonFields.Text(annotation, "key") ?? "";
                var expression = JsonFields.Text(annotation, "valueExpression") ?? "";
                try
                {
                    switch (evaluator.Evaluate(expression, activation))
                    {
                        case string text when text.Trim().Length > 0:
                            outcomes.Add(new AuditOutcome(key, text.Trim(), null));
                            break;
                        case string or null:
                            break;
                        case var other:
                            outcomes.Add(new AuditOutcome(key, null, failClosed
                                ? $"valueExpression '{expression}' resulted in unsupported return type: {TypeName(other)}. Return type must be either string or null."
                                : null));
                            break;
                    }
                }
                catch (CelEvaluationException e) when (failClosed)
                {
                    outcomes.Add(new AuditOutcome(key, null, $"expression '{expression}' resulted in error: {e.Message}"));
                }
                catch (CelEvaluationException)
                {
                    // failurePolicy Ignore: the annotation is left out.
                }
            }

            return outcomes;
        }

        /// <summary>True or false, or null with cel's "expression '...' resulted in error: ..." (activation.go).</summary>
        private bool? Boolean(string expression, out string? error)
        {
            error = null;
            try
            {
                if (evaluator.Evaluate(expression, activation) is bool result)
                {
                    return result;
                }

                // cel-go would have refused a non-bool expression when the policy was written; the Cel package
                // answers null where cel-go has an error inside all(), && or ||.
                error = $"expression '{expression}' resulted in error: no such overload";
            }
            catch (CelEvaluationException e)
            {
                error = $"expression '{expression}' resulted in error: {e.Message}";
            }

            return null;
        }

        private static string TypeName(object? value) => value switch
        {
            bool => "bool",
            long or int => "int",
            ulong => "uint",
            double => "double",
            System.Collections.IDictionary => "map",
            System.Collections.IList => "list",
            _ => value?.GetType().Name ?? "null_type",
        };

        /// <summary>cel.CreateAdmissionRequest: the admission/v1 AdmissionRequest a policy sees as <c>request</c>.</summary>
        private static JsonObject Request(AdmissionAttributes attributes)
        {
            var type = attributes.Kind.Type;
            JsonObject Kind() => new() { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = attributes.Kind.Kind };
            JsonObject Resource() => new() { ["group"] = type.Group, ["version"] = type.Version, ["resource"] = type.Plural };
            var user = attributes.Context.User;
            var options = new JsonObject
            {
                ["kind"] = attributes.Operation switch { "CREATE" => "CreateOptions", "DELETE" => "DeleteOptions", _ => "UpdateOptions" },
                ["apiVersion"] = "meta.k8s.io/v1",
            };
            if (attributes.Context.DryRun)
            {
                options["dryRun"] = new JsonArray("All");
            }

            if (attributes.Context.FieldManager is { } manager && attributes.Operation != "DELETE")
            {
                options["fieldManager"] = manager;
            }

            return new JsonObject
            {
                ["kind"] = Kind(),
                ["resource"] = Resource(),
                ["subResource"] = attributes.Subresource,
                ["requestKind"] = Kind(),
                ["requestResource"] = Resource(),
                ["requestSubResource"] = attributes.Subresource,
                ["name"] = attributes.Name,
                ["namespace"] = attributes.Namespace ?? "",
                ["operation"] = attributes.Operation,
                ["userInfo"] = new JsonObject
                {
                    ["username"] = user.Name,
                    ["uid"] = "",
                    ["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode)g).ToArray()),
                    ["extra"] = new JsonObject(),
                },
                ["dryRun"] = attributes.Context.DryRun,
                ["options"] = options,
            };
        }
    }
}
