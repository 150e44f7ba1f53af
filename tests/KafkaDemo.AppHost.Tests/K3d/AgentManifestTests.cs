using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KafkaDemo.AppHost.Agent;
using KafkaDemo.AppHost.Kubernetes;
using KafkaDemo.DeploymentContract.Agent;
using KafkaDemo.TestSupport;
using k8s;
using k8s.Models;

namespace KafkaDemo.AppHost.Tests.K3d;

/// <summary>The agent's image and objects: pinned, least privilege, no secrets baked in.</summary>
public sealed partial class AgentManifestTests
{
    /// <summary>Everything the agent may do, as the issue allows it: (API group, resource) → verbs.</summary>
    private static readonly Dictionary<(string Group, string Resource), string[]> Allowed = new()
    {
        [("kafka.strimzi.io", "kafkas")] = ["get", "list", "watch", "patch", "update"],
        [("kafka.strimzi.io", "kafkanodepools")] = ["get", "list", "watch", "patch", "update"],
        // Read-only: the agent is told never to change topics, so it must not be able to.
        [("kafka.strimzi.io", "kafkatopics")] = ["get", "list", "watch"],
        [("", "pods")] = ["get", "list", "watch"],
        // The brokers' JMX metrics: kubectl get --raw /api/v1/namespaces/kafka/pods/<pod>:9404/proxy/metrics
        // is a GET on the subresource proxy, which the authorizer sees as verb get on pods/proxy.
        [("", "pods/proxy")] = ["get"],
        [("", "pods/log")] = ["get", "list", "watch"],
        [("", "events")] = ["get", "list", "watch"],
        [("", "services")] = ["get", "list", "watch"],
        [("metrics.k8s.io", "pods")] = ["get", "list"],
    };

    /// <summary>
    /// Every name llm-anthropic 0.25.1 registers with llm (llm_anthropic.py register_models): each
    /// model's llm id (with the anthropic/ prefix) and its aliases. llm.get_model looks a name up
    /// exactly (llm 0.26 llm/__init__.py get_model), so anything else is "Unknown model".
    /// </summary>
    private static readonly string[] LlmAnthropicNames =
    [
        "anthropic/claude-3-opus-20240229",
        "anthropic/claude-3-opus-latest", "claude-3-opus",
        "anthropic/claude-3-sonnet-20240229", "claude-3-sonnet",
        "anthropic/claude-3-haiku-20240307", "claude-3-haiku",
        "anthropic/claude-3-5-sonnet-20240620",
        "anthropic/claude-3-5-sonnet-20241022",
        "anthropic/claude-3-5-sonnet-latest", "claude-3.5-sonnet", "claude-3.5-sonnet-latest",
        "anthropic/claude-3-5-haiku-latest", "claude-3.5-haiku",
        "anthropic/claude-3-7-sonnet-20250219",
        "anthropic/claude-3-7-sonnet-latest", "claude-3.7-sonnet", "claude-3.7-sonnet-latest",
        "anthropic/claude-opus-4-0", "claude-4-opus",
        "anthropic/claude-sonnet-4-0", "claude-4-sonnet",
        "anthropic/claude-opus-4-1-20250805", "claude-opus-4.1",
        "anthropic/claude-sonnet-4-5", "claude-sonnet-4.5",
        "anthropic/claude-haiku-4-5-20251001", "claude-haiku-4.5",
        "anthropic/claude-opus-4-5-20251101", "claude-opus-4.5",
        "anthropic/claude-opus-4-6", "claude-opus-4.6",
        "anthropic/claude-sonnet-4-6", "claude-sonnet-4.6",
        "anthropic/claude-opus-4-7", "claude-opus-4.7",
        "anthropic/claude-opus-4-8", "claude-opus-4.8",
    ];

    private static string AgentFile(string name) => File.ReadAllText(Path.Combine(SharedReference.RepositoryRoot, "k3d", "agent", name));

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/agent.md")]
    public void The_default_model_and_the_documents_examples_are_current_Claude_names_that_llm_anthropic_0_25_1_registers(string document)
    {
        // vibectl's own default claude-3.7-sonnet is registered but maps to claude-3-7-sonnet-latest,
        // reported retired (404); every Claude 3 model is at least three generations old.
        Assert.Contains(AgentDeployment.DefaultModel, LlmAnthropicNames);
        Assert.DoesNotContain("claude-3", AgentDeployment.DefaultModel, StringComparison.Ordinal);

        // README.md shows how to set the key and model; docs/agent.md is the agent's guide.
        var text = File.ReadAllText(Path.Combine(SharedReference.RepositoryRoot, document));
        var examples = ModelExample().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(examples);
        Assert.All(examples, name => Assert.Contains(name, LlmAnthropicNames));
        Assert.Contains($"`{AgentDeployment.DefaultModel}`", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_role_grants_nothing_outside_the_list_and_only_in_the_kafka_namespace()
    {
        var objects = AgentManifests.Files();
        var role = objects.Single(o => (string?)o["kind"] == "Role");

        Assert.Equal("kafka", (string?)role["metadata"]!["namespace"]);
        var granted = new HashSet<(string, string, string)>();
        foreach (var rule in role["rules"]!.AsArray())
        {
            // The one named rule: the Kafka kafkademo is the only one the agent may change.
            if (rule!["resourceNames"] is { } names)
            {
                Assert.Equal(["kafkademo"], names.AsArray().Select(n => (string?)n));
                Assert.Equal(["kafkas"], rule["resources"]!.AsArray().Select(r => (string?)r));
                Assert.Equal(["patch", "update"], rule["verbs"]!.AsArray().Select(v => (string?)v));
            }

            Assert.Null(rule["nonResourceURLs"]);
            foreach (var group in rule["apiGroups"]!.AsArray().Select(g => (string)g!))
            {
                foreach (var resource in rule["resources"]!.AsArray().Select(r => (string)r!))
                {
                    Assert.True(Allowed.TryGetValue((group, resource), out var verbs), $"The Role grants {group}/{resource}, which is not allowed.");
                    foreach (var verb in rule["verbs"]!.AsArray().Select(v => (string)v!))
                    {
                        Assert.Contains(verb, verbs);
                        granted.Add((group, resource, verb));
                    }
                }
            }
        }

        Assert.Equal(Allowed.Sum(a => a.Value.Length), granted.Count);
        Assert.Equal(["get", "list", "watch"], granted.Where(g => g.Item2 == "kafkatopics").Select(g => g.Item3).Order(StringComparer.Ordinal));
        Assert.Equal(["get"], granted.Where(g => g.Item2 == "pods/proxy").Select(g => g.Item3));
        Assert.DoesNotContain(granted, g => g.Item2 is "secrets" or "pods/exec" or "pods/attach" || g.Item3 is "delete" or "deletecollection" or "*" || g.Item1 == "*" || g.Item2 == "*");
        Assert.DoesNotContain(objects, o => (string?)o["kind"] is "ClusterRole" or "ClusterRoleBinding");
    }

    [Fact]
    public void The_binding_gives_the_role_to_the_agents_service_account_only()
    {
        var objects = AgentManifests.Files();
        var binding = objects.Single(o => (string?)o["kind"] == "RoleBinding");
        var account = objects.Single(o => (string?)o["kind"] == "ServiceAccount");
        var deployment = objects.Single(o => (string?)o["kind"] == "Deployment");

        Assert.Equal("kafka", (string?)binding["metadata"]!["namespace"]);
        Assert.Equal("Role", (string?)binding["roleRef"]!["kind"]);
        Assert.Equal((string?)objects.Single(o => (string?)o["kind"] == "Role")["metadata"]!["name"], (string?)binding["roleRef"]!["name"]);
        var subject = Assert.Single(binding["subjects"]!.AsArray())!;
        Assert.Equal("ServiceAccount", (string?)subject["kind"]);
        Assert.Equal((string?)account["metadata"]!["name"], (string?)subject["name"]);
        Assert.Equal(AgentManifests.Namespace, (string?)subject["namespace"]);
        Assert.Equal((string?)account["metadata"]!["name"], (string?)deployment["spec"]!["template"]!["spec"]!["serviceAccountName"]);
    }

    [Fact]
    public void The_pod_runs_the_built_image_as_non_root_and_gets_the_key_only_from_its_secret()
    {
        var deployment = AgentManifests.Render(AgentImage.Reference, configuredAt: null).Single(o => (string?)o["kind"] == "Deployment");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = Assert.Single(pod["containers"]!.AsArray())!;

        Assert.Equal(AgentImage.Reference, (string?)container["image"]);
        Assert.Matches("^kafkademo-vibectl:[0-9a-f]{16}$", AgentImage.Reference);
        Assert.Equal("Never", (string?)container["imagePullPolicy"]);
        Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!);
        Assert.False((bool)container["securityContext"]!["allowPrivilegeEscalation"]!);
        // The key is a file from the Secret, never an environment variable (see the test below).
        Assert.DoesNotContain(container["env"]!.AsArray(), e => e!["valueFrom"]?["secretKeyRef"] is not null);
        var secretVolumes = pod["volumes"]!.AsArray().Where(v => v!["secret"] is not null).ToList();
        Assert.Equal(AgentManifests.SecretName, (string?)Assert.Single(secretVolumes)!["secret"]!["secretName"]);
        // Every literal value is a path (the kubeconfig, vibectl's *_API_KEY_FILE), so none can be a key.
        Assert.All(container["env"]!.AsArray(), e => Assert.StartsWith("/", (string?)e!["value"] ?? "/", StringComparison.Ordinal));
        Assert.DoesNotContain(AgentManifests.Files(), o => (string?)o["kind"] == "Secret");
    }

    /// <summary>
    /// llm 0.26 looks the key up when a response is read (llm/models.py Response.__iter__ →
    /// llm/__init__.py get_key: keys.json first, then the model's key_env_var). vibectl 0.11.6
    /// copies VIBECTL_*_API_KEY into ANTHROPIC_API_KEY/OPENAI_API_KEY only inside ModelEnvironment,
    /// and its __exit__ deletes those variables unless they were there before, and never sets them
    /// for a model it cannot tie to a provider (model_adapter.py). So the key goes in as a file from
    /// the Secret, which k3d/agent/idle.sh writes into llm's keys.json under every name llm may ask
    /// for; no variable carries it.
    /// </summary>
    [Fact]
    public void The_key_reaches_llm_through_keys_json_written_from_the_Secret_mounted_as_a_file()
    {
        var deployment = AgentManifests.Render(AgentImage.Reference, configuredAt: null).Single(o => (string?)o["kind"] == "Deployment");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = Assert.Single(pod["containers"]!.AsArray())!;
        var volume = Assert.Single(pod["volumes"]!.AsArray(), v => v!["secret"] is not null)!;
        var mount = Assert.Single(container["volumeMounts"]!.AsArray(), m => (string?)m!["name"] == (string?)volume["name"])!;
        var item = Assert.Single(volume["secret"]!["items"]!.AsArray())!;

        Assert.Equal(AgentManifests.SecretKey, (string?)item["key"]);
        Assert.True((bool?)volume["secret"]!["optional"], "Without a key (or with a server that needs none) the pod must still start.");
        Assert.True((bool?)mount["readOnly"]);
        var keyFile = $"{(string?)mount["mountPath"]}/{(string?)item["path"]}";
        var idle = AgentFile("idle.sh");
        Assert.Contains($"cat {keyFile}", idle, StringComparison.Ordinal);
        // llm-anthropic 0.25.1 needs_key "anthropic"; llm 0.26 openai_models.py needs_key "openai"; the AppHost's api_key_name.
        Assert.Contains($"'{{\"anthropic\": \"%s\", \"openai\": \"%s\", \"{AgentManifests.ServerKeyName}\": \"%s\"}}\\n'", idle, StringComparison.Ordinal);
        Assert.DoesNotContain(container["env"]!.AsArray(), e => (string?)e!["name"] is "ANTHROPIC_API_KEY" or "OPENAI_API_KEY");
        Assert.Equal(AgentManifests.SecretKey, ((JsonObject)AgentManifests.Secret("not-a-real-key")["stringData"]!).Single().Key);
    }

    [Fact]
    public void Every_agent_object_round_trips_through_KubernetesClient_models()
    {
        foreach (var item in AgentManifests.Render(AgentImage.Reference, "2026-11-30T00:00:00Z"))
        {
            switch ((string?)item["kind"])
            {
                case "Namespace": ManifestTests.AssertRoundTrips<V1Namespace>(item); break;
                case "ServiceAccount": ManifestTests.AssertRoundTrips<V1ServiceAccount>(item); break;
                case "Role": ManifestTests.AssertRoundTrips<V1Role>(item); break;
                case "RoleBinding": ManifestTests.AssertRoundTrips<V1RoleBinding>(item); break;
                case "ConfigMap": ManifestTests.AssertRoundTrips<V1ConfigMap>(item); break;
                case "Deployment": ManifestTests.AssertRoundTrips<V1Deployment>(item); break;
                case "ValidatingAdmissionPolicy": ManifestTests.AssertRoundTrips<V1ValidatingAdmissionPolicy>(item); break;
                case "ValidatingAdmissionPolicyBinding": ManifestTests.AssertRoundTrips<V1ValidatingAdmissionPolicyBinding>(item); break;
                default: Assert.Fail($"Unexpected {item["kind"]} among the agent's objects."); break;
            }
        }

        ManifestTests.AssertRoundTrips<V1Secret>(AgentManifests.Secret("not-a-real-key"));
        ManifestTests.AssertRoundTrips<V1ConfigMap>(AgentManifests.ModelsConfigMap("local-model", "http://host.k3d.internal:8000/v1", withKey: true));
    }

    /// <summary>
    /// The admission policy and its binding are KubernetesClient's typed models exactly: read strictly, a
    /// field the model does not have (a misspelling the API server would drop or refuse) fails.
    /// </summary>
    [Fact]
    public void The_admission_policy_and_binding_deserialize_strictly_and_an_unknown_field_fails()
    {
        var policyText = AgentFile("admission-policy.yaml");
        var bindingText = AgentFile("admission-policy-binding.yaml");

        var policy = KubernetesYaml.Deserialize<V1ValidatingAdmissionPolicy>(policyText, strict: true);
        var binding = KubernetesYaml.Deserialize<V1ValidatingAdmissionPolicyBinding>(bindingText, strict: true);

        Assert.Equal("admissionregistration.k8s.io/v1", policy.ApiVersion);
        Assert.Equal(policy.Metadata.Name, binding.Spec.PolicyName);
        Assert.Equal(["Deny", "Audit"], binding.Spec.ValidationActions);
        Assert.Equal("Fail", policy.Spec.FailurePolicy);
        Assert.All(policy.Spec.Validations, v => Assert.False(string.IsNullOrWhiteSpace(v.MessageExpression), $"No messageExpression for {v.Expression}"));
        Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => KubernetesYaml.Deserialize<V1ValidatingAdmissionPolicy>(
            policyText.Replace("  failurePolicy: Fail", "  failurePolicy: Fail\n  failurePolicyy: Fail", StringComparison.Ordinal), strict: true));
        Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => KubernetesYaml.Deserialize<V1ValidatingAdmissionPolicyBinding>(
            bindingText.Replace("validationActions:", "validationAction:", StringComparison.Ordinal), strict: true));
    }

    /// <summary>
    /// The policy judges the agent's own identity (the service account the Deployment runs as), on the
    /// kinds the Role lets it change, in the namespace the Role is in; and it is applied before the Role
    /// is bound and the pod runs (the AppHost applies the kustomization in order, namespaces first).
    /// </summary>
    [Fact]
    public void The_policy_judges_the_agents_account_on_what_its_role_may_change_and_is_applied_before_the_agent_can_act()
    {
        var objects = AgentManifests.Files();
        var policy = KubernetesJson.Deserialize<V1ValidatingAdmissionPolicy>(objects.Single(o => (string?)o["kind"] == "ValidatingAdmissionPolicy").ToJsonString());
        var account = objects.Single(o => (string?)o["kind"] == "ServiceAccount");
        var role = objects.Single(o => (string?)o["kind"] == "Role");

        var condition = Assert.Single(policy.Spec.MatchConditions);
        Assert.Equal($"request.userInfo.username == 'system:serviceaccount:{account["metadata"]!["namespace"]}:{account["metadata"]!["name"]}'", condition.Expression);
        var rule = Assert.Single(policy.Spec.MatchConstraints.ResourceRules);
        var changeable = role["rules"]!.AsArray().Where(r => r!["verbs"]!.AsArray().Any(v => (string?)v is "patch" or "update")).ToList();
        Assert.Equal(changeable.SelectMany(r => r!["resources"]!.AsArray().Select(x => (string)x!)).Order(StringComparer.Ordinal), rule.Resources.Order(StringComparer.Ordinal));
        Assert.Equal(["UPDATE"], rule.Operations);
        Assert.Equal(["v1"], rule.ApiVersions);
        Assert.Equal("Equivalent", policy.Spec.MatchConstraints.MatchPolicy);
        Assert.Equal((string?)role["metadata"]!["namespace"], policy.Spec.MatchConstraints.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);

        var order = objects.Select(o => (string)o["kind"]!).ToList();
        Assert.True(order.IndexOf("ValidatingAdmissionPolicy") < order.IndexOf("RoleBinding"));
        Assert.True(order.IndexOf("ValidatingAdmissionPolicyBinding") < order.IndexOf("RoleBinding"));
        Assert.True(order.IndexOf("ValidatingAdmissionPolicyBinding") < order.IndexOf("Deployment"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_openai_compatible_server_gets_a_model_list_that_supports_schemas_and_names_a_key_only_when_there_is_one(bool withKey)
    {
        var configMap = AgentManifests.ModelsConfigMap("qwen2.5-7b-instruct", "http://host.k3d.internal:8000/v1", withKey);

        var model = Assert.Single(ExtraOpenAiModels(configMap))!;
        Assert.Equal("qwen2.5-7b-instruct", (string?)model["model_id"]);
        Assert.Equal("qwen2.5-7b-instruct", (string?)model["model_name"]); // llm 0.26 register_models: a KeyError without it
        Assert.Equal("http://host.k3d.internal:8000/v1", (string?)model["api_base"]);
        Assert.True((bool)model["supports_schema"]!); // a YAML boolean: llm tests "is True"
        if (withKey)
        {
            // llm 0.26 openai_models.py register_models: api_base sets needs_key = None, so
            // _Shared.get_client sends the literal DUMMY_KEY; api_key_name sets needs_key again, and
            // llm.get_key then finds keys.json[name], which k3d/agent/idle.sh writes from the Secret.
            Assert.Equal(AgentManifests.ServerKeyName, (string?)model["api_key_name"]);
            Assert.Contains($"\"{AgentManifests.ServerKeyName}\": \"%s\"", AgentFile("idle.sh"), StringComparison.Ordinal);
        }
        else
        {
            // No key: llm must not ask for one (needs_key stays None); no dummy key is required of anyone.
            Assert.Null(model["api_key_name"]);
            Assert.DoesNotContain("key", ((string)configMap["data"]!["extra-openai-models.yaml"]!), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void The_pod_template_says_configured_only_when_the_AppHost_configured_the_LLM()
    {
        static JsonNode? Annotations(string? at) =>
            AgentManifests.Render(AgentImage.Reference, at).Single(o => (string?)o["kind"] == "Deployment")["spec"]!["template"]!["metadata"]!["annotations"];

        Assert.Null(Annotations(null)?[AgentDeployment.KeyAnnotation]);
        Assert.Equal("2026-11-30T00:00:00Z", (string?)Annotations("2026-11-30T00:00:00Z")![AgentDeployment.KeyAnnotation]);
        // A key configures it, and so does a server that may need none.
        Assert.True(AgentBringUp.IsConfigured("", "sk-a-key"));
        Assert.True(AgentBringUp.IsConfigured("http://host.k3d.internal:8000/v1", null));
        Assert.False(AgentBringUp.IsConfigured("", null));
        Assert.False(AgentBringUp.IsConfigured("  ", ""));
    }

    /// <summary>
    /// The agent is told how to read the brokers' metrics, and every metric name it is told exists:
    /// the JMX exporter's rules in k3d/kafka/metrics-config.yaml make each name from the rule's
    /// name template, $n replaced by the pattern's groups, lowercased (lowercaseOutputName: true).
    /// </summary>
    [Fact]
    public void The_instructions_name_only_metrics_the_exporter_rules_produce_and_say_how_to_read_them()
    {
        var instructions = AgentFile("instructions.md");
        var rulesFile = File.ReadAllText(Path.Combine(SharedReference.RepositoryRoot, "k3d", "kafka", "metrics-config.yaml"));
        var exporter = YamlDocuments.Parse((string)YamlDocuments.Parse(rulesFile, "metrics-config.yaml").Single()["data"]!["kafka-metrics-config.yml"]!, "exporter config").Single();
        Assert.True((bool)exporter["lowercaseOutputName"]!);
        var produced = exporter["rules"]!.AsArray()
            .Select(r => new Regex("^" + string.Join("[a-z0-9]+", Placeholder().Split(((string)r!["name"]!).ToLowerInvariant()).Select(Regex.Escape)) + "$"))
            .ToList();

        Assert.Contains("kubectl get --raw /api/v1/namespaces/kafka/pods/kafkademo-dual-0:9404/proxy/metrics", instructions, StringComparison.Ordinal);
        var named = MetricName().Matches(instructions).Select(m => m.Value).Distinct().ToList();
        Assert.Contains("kafka_server_request_handler_avg_idle_ratio", named);
        Assert.Contains("kafka_network_request_total_time_ms", named);
        Assert.Contains("kafka_server_replica_manager_underreplicatedpartitions", named);
        Assert.All(named, name => Assert.True(produced.Any(p => p.IsMatch(name)), $"No exporter rule produces {name}."));
    }

    private static JsonArray ExtraOpenAiModels(JsonObject configMap) =>
        YamlDocuments.Parse("items:\n" + string.Join('\n', ((string)configMap["data"]!["extra-openai-models.yaml"]!).Split('\n').Select(l => "  " + l)), "models").Single()["items"]!.AsArray();

    [Fact]
    public void The_image_is_pinned_runs_as_non_root_and_bakes_in_no_secret()
    {
        var dockerfile = AgentFile("Dockerfile");

        Assert.Matches(PinnedPython(), dockerfile);
        Assert.Contains("ARG KUBECTL_VERSION=v1.32.4", dockerfile, StringComparison.Ordinal);
        Assert.Contains("sha256sum -c", dockerfile, StringComparison.Ordinal);
        Assert.Matches("USER 10001", dockerfile);
        Assert.DoesNotMatch("(?im)^(ENV|ARG)\\s+\\S*(KEY|TOKEN|SECRET|PASSWORD)", dockerfile);
        Assert.DoesNotContain(":latest", dockerfile, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every package of the image's runtime closure is pinned, and the install resolves nothing
    /// else: with a bare "pip install -r", every requirement not listed floats to the newest release.
    /// </summary>
    [Fact]
    public void Every_python_package_is_pinned_and_the_install_resolves_nothing_else()
    {
        var requirements = AgentFile("requirements.txt");
        var dockerfile = AgentFile("Dockerfile");
        Assert.Empty(TestSupport.AgentContainer.PythonPins.Problems(requirements, dockerfile));
        var pins = TestSupport.AgentContainer.PythonPins.Read(requirements);

        Assert.Equal("0.11.6", pins.GetValueOrDefault("vibectl"));
        Assert.Equal("0.26", pins.GetValueOrDefault("llm")); // vibectl 0.11.6's pylock.toml
        Assert.Equal("0.25.1", pins.GetValueOrDefault("llm-anthropic"));
        // What llm-anthropic 0.25.1 adds (pyproject.toml: anthropic>=0.96.0; anthropic: docstring-parser>=0.15,<1).
        Assert.True(Version.Parse(pins.GetValueOrDefault("anthropic", "0.0")) >= new Version(0, 96, 0), "llm-anthropic 0.25.1 needs anthropic>=0.96.0.");
        Assert.True(pins.ContainsKey("docstring-parser"), "anthropic needs docstring-parser, which vibectl's lock does not have.");
        // A sample of vibectl's runtime closure (pylock.toml at v0.11.6), and none of its dev extra.
        Assert.Equal("1.97.1", pins.GetValueOrDefault("openai"));
        Assert.Equal("14.1.0", pins.GetValueOrDefault("rich"));
        Assert.Equal("0.27.2", pins.GetValueOrDefault("httpx"));
        Assert.DoesNotContain(pins.Keys, n => n is "pytest" or "mypy" or "ruff" or "virtualenv" or "uv" or "flask" or "packaging");

        var install = Assert.Single(dockerfile.Split('\n'), l => !l.TrimStart().StartsWith('#') && l.Contains("pip install", StringComparison.Ordinal));
        Assert.Contains("-r /tmp/requirements.txt", install, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s*&& pip check\b", dockerfile);
    }

    [Fact]
    public async Task Kubectl_kustomize_of_k3d_agent_is_what_the_AppHost_applies()
    {
        var kubectl = ExternalTool.Find("kubectl");
        Assert.SkipWhen(kubectl is null && Environment.GetEnvironmentVariable(SharedReference.RequireVariable) != "1", "kubectl is not on PATH.");
        Assert.NotNull(kubectl);

        var (exitCode, output, error) = await ExternalTool.RunAsync(kubectl, ["kustomize", Path.Combine(SharedReference.RepositoryRoot, "k3d", "agent")]);

        Assert.True(exitCode == 0, error);
        var kustomized = YamlDocuments.Parse(output, "kubectl kustomize k3d/agent");
        Assert.Equal(
            AgentManifests.Files().Select(Key).Order(StringComparer.Ordinal),
            kustomized.Select(Key).Order(StringComparer.Ordinal));

        static string Key(JsonObject o) => o.Describe();
    }

    [GeneratedRegex(@"\$\d+")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\bkafka_[a-z0-9_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"Parameters:llm-model (\S+)")]
    private static partial Regex ModelExample();

    [GeneratedRegex(@"ARG PYTHON_IMAGE=python:3\.1[1-9]\.\d+-slim")]
    private static partial Regex PinnedPython();
}
