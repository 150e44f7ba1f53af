using System.Numerics;
using System.Text.RegularExpressions;
using KafkaDemo.TestSupport.Kubernetes;

namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// vibectl 0.11.6's <c>Config</c> (vibectl/config.py, config_utils.py): the client config file
/// <c>config.yaml</c> in <c>get_config_dir("client")</c>, read on every construction (created with
/// the defaults when missing), deep-merged over DEFAULT_CONFIG, written whole with PyYAML's
/// <c>yaml.dump(default_flow_style=False)</c>; <c>get</c> with CLI overrides first; <c>set</c>
/// with the schema's path check, type conversion and value checks, as vibectl words its errors.
/// </summary>
internal sealed partial class VibectlConfig
{
    private readonly VibectlProcess process;
    private readonly PyDict config;

    private VibectlConfig(VibectlProcess process, string file, PyDict config)
    {
        this.process = process;
        File = file;
        this.config = config;
    }

    /// <summary>The config file's path in the container.</summary>
    public string File { get; }

    /// <summary>config.py DEFAULT_CONFIG.</summary>
    public static PyDict Defaults()
    {
        static PyDict D(params (string Key, object? Value)[] items)
        {
            var dict = new PyDict();
            foreach (var (key, value) in items)
            {
                dict[key] = value;
            }

            return dict;
        }

        return D(
            ("core", D(("kubeconfig", null), ("kubectl_command", "kubectl"))),
            ("display", D(("theme", "default"), ("show_raw_output", false), ("show_vibe", true), ("show_kubectl", false), ("show_memory", true),
                ("show_iterations", true), ("show_metrics", "none"), ("show_streaming", true))),
            ("llm", D(("model", "claude-3.7-sonnet"), ("max_retries", new BigInteger(2)), ("retry_delay_seconds", 1.0))),
            ("providers", D(
                ("openai", D(("key", null), ("key_file", null))),
                ("anthropic", D(("key", null), ("key_file", null))),
                ("ollama", D(("key", null), ("key_file", null))))),
            ("memory", D(("enabled", true), ("max_chars", new BigInteger(500)))),
            ("warnings", D(("warn_no_output", true), ("warn_no_proxy", true), ("warn_sanitization", true))),
            ("live_display", D(("max_lines", new BigInteger(20)), ("wrap_text", true), ("stream_buffer_max_lines", new BigInteger(100000)),
                ("default_filter_regex", null), ("save_dir", "."))),
            ("features", D(("intelligent_apply", true), ("intelligent_edit", true), ("max_correction_retries", new BigInteger(1)),
                ("check_max_iterations", new BigInteger(10)))),
            ("networking", D(("intermediate_port_range", null))),
            ("plugins", D(("precedence", new List<object?>()))),
            ("proxy", D(("timeout_seconds", new BigInteger(30)), ("retry_attempts", new BigInteger(3)), ("active", null), ("profiles", new PyDict()))),
            ("system", D(("log_level", "WARNING"), ("custom_instructions", null))),
            ("memory_content", null));
    }

    /// <summary>config.py CONFIG_SCHEMA: each leaf's type.</summary>
    private enum Kind
    {
        Str,
        StrOrNone,
        Bool,
        Int,
        Float,
        List,
        Dict,
    }

    private static readonly Dictionary<string, object> Schema = BuildSchema();

    private static Dictionary<string, object> BuildSchema()
    {
        static Dictionary<string, object> S(params (string Key, object Value)[] items) => items.ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);
        var provider = S(("key", Kind.StrOrNone), ("key_file", Kind.StrOrNone));
        return S(
            ("core", S(("kubeconfig", Kind.StrOrNone), ("kubectl_command", Kind.Str))),
            ("display", S(("theme", Kind.Str), ("show_raw_output", Kind.Bool), ("show_vibe", Kind.Bool), ("show_kubectl", Kind.Bool), ("show_memory", Kind.Bool),
                ("show_iterations", Kind.Bool), ("show_metrics", Kind.Str), ("show_streaming", Kind.Bool))),
            ("llm", S(("model", Kind.Str), ("max_retries", Kind.Int), ("retry_delay_seconds", Kind.Float))),
            ("providers", S(("openai", provider), ("anthropic", provider), ("ollama", provider))),
            ("memory", S(("enabled", Kind.Bool), ("max_chars", Kind.Int))),
            ("warnings", S(("warn_no_output", Kind.Bool), ("warn_no_proxy", Kind.Bool), ("warn_sanitization", Kind.Bool))),
            ("live_display", S(("max_lines", Kind.Int), ("wrap_text", Kind.Bool), ("stream_buffer_max_lines", Kind.Int), ("default_filter_regex", Kind.StrOrNone),
                ("save_dir", Kind.Str))),
            ("features", S(("intelligent_apply", Kind.Bool), ("intelligent_edit", Kind.Bool), ("max_correction_retries", Kind.Int), ("check_max_iterations", Kind.Int))),
            ("networking", S(("intermediate_port_range", Kind.StrOrNone))),
            ("plugins", S(("precedence", Kind.List))),
            ("proxy", S(("timeout_seconds", Kind.Int), ("retry_attempts", Kind.Int), ("active", Kind.StrOrNone), ("profiles", Kind.Dict))),
            ("system", S(("log_level", Kind.Str), ("custom_instructions", Kind.StrOrNone))),
            ("memory_content", Kind.StrOrNone));
    }

    /// <summary>config.py CONFIG_VALID_VALUES (the "model" entry is checked against llm instead).</summary>
    private static readonly Dictionary<string, string[]> ValidValues = new(StringComparer.Ordinal)
    {
        ["theme"] = ["default", "dark", "light", "accessible"],
        ["log_level"] = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
        ["show_metrics"] = ["none", "total", "sub", "all"],
    };

    /// <summary>
    /// config_utils.py get_config_dir("client"): <c>$VIBECTL_CLIENT_CONFIG_DIR</c>, else
    /// <c>$VIBECTL_CONFIG_DIR/client</c>, else <c>$XDG_CONFIG_HOME/vibectl/client</c>, else
    /// <c>~/.config/vibectl/client</c>.
    /// </summary>
    public static string Directory(IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var path = environment.GetValueOrDefault("VIBECTL_CLIENT_CONFIG_DIR") is { Length: > 0 } client ? client
            : environment.GetValueOrDefault("VIBECTL_CONFIG_DIR") is { Length: > 0 } dir ? $"{dir}/client"
            : environment.GetValueOrDefault("XDG_CONFIG_HOME") is { Length: > 0 } xdg ? $"{xdg}/vibectl/client"
            : environment.GetValueOrDefault("HOME") is { Length: > 0 } home ? $"{home}/.config/vibectl/client"
            : throw new PyError("RuntimeError", "HOME is not set; the stand-in does not read the passwd database");
        return ContainerFiles.Normalize(path, workingDirectory);
    }

    /// <summary>The config file in a container with this environment.</summary>
    public static string FilePath(IReadOnlyDictionary<string, string> environment, string workingDirectory) =>
        Directory(environment, workingDirectory) + "/config.yaml";

    /// <summary>
    /// <c>Config()</c>: ensure_config_dir (mkdir parents), load_yaml_config (an empty or missing file
    /// is {}; a YAML error is <c>ValueError("Failed to load config from ...")</c>), deep_merge over the
    /// defaults, and the file written when it did not exist.
    /// </summary>
    public static VibectlConfig Open(VibectlProcess process)
    {
        var context = process.Context;
        var directory = Directory(context.Environment, context.WorkingDirectory);
        var file = directory + "/config.yaml";
        try
        {
            context.Files.CreateDirectory(directory);
        }
        catch (ContainerFileException e)
        {
            throw new PyError("OSError", $"[Errno {e.Errno}] {e.Description}: '{e.Path}'");
        }

        var config = Defaults();
        var exists = context.Files.FileExists(file);
        if (exists)
        {
            var text = context.Files.ReadAllText(file);
            if (text.Length > 0)
            {
                object? loaded;
                try
                {
                    loaded = PyYamlReader.Load(text);
                }
                catch (YamlDotNet.Core.YamlException e)
                {
                    process.Context.Pod.Programs.RecordGap($"vibectl read a config.yaml that is not YAML; PyYAML's error text is not modelled: {e.Message}");
                    throw PyError.ValueError($"Failed to load config from {file}: {e.Message}");
                }

                if (loaded is PyDict dict)
                {
                    DeepMerge(config, dict);
                }
                else if (loaded is not null)
                {
                    process.Context.Pod.Programs.RecordGap($"vibectl's config.yaml holds a {loaded.GetType().Name}, not a mapping");
                    throw PyError.ValueError($"Failed to load config from {file}");
                }
            }
        }

        var result = new VibectlConfig(process, file, config);
        if (!exists)
        {
            result.Save();
        }

        return result;
    }

    /// <summary>config_utils.py deep_merge.</summary>
    private static void DeepMerge(PyDict target, PyDict updates)
    {
        foreach (var (key, value) in updates)
        {
            if (target.TryGetValue(key, out var existing) && existing is PyDict existingDict && value is PyDict valueDict)
            {
                DeepMerge(existingDict, valueDict);
            }
            else
            {
                target[key] = value;
            }
        }
    }

    /// <summary>A copy of everything (get_all).</summary>
    public PyDict All => config.Copy();

    /// <summary>
    /// Config.get: a CLI override (overrides.py) first, then the file (a dotted path, or a top-level
    /// key), else <paramref name="default"/>.
    /// </summary>
    public object? Get(string key, object? @default = null)
    {
        if (process.Overrides.TryGetValue(key, out var overridden))
        {
            return overridden;
        }

        if (!key.Contains('.', StringComparison.Ordinal))
        {
            return config.TryGetValue(key, out var top) ? top : @default;
        }

        object? current = config;
        foreach (var part in key.Split('.'))
        {
            if (current is not PyDict dict || !dict.TryGetValue(part, out current))
            {
                return @default;
            }
        }

        return current;
    }

    /// <summary>
    /// Config.set (config.py 329-361): a dotted key is checked against the schema
    /// (validate_config_key_path), a string converted to its type (convert_string_to_type, errors
    /// "Invalid value for {key}: {value}"), checked (_validate_hierarchical_value), set and saved; a
    /// top-level key must be in the schema and is stored as given.
    /// </summary>
    public void Set(string key, object? value)
    {
        if (key.Contains('.', StringComparison.Ordinal))
        {
            var expected = SchemaAt(key);
            var converted = value is string text ? Convert(text, expected, key) : value;
            Validate(key, converted, expected);
            SetNested(key, converted);
        }
        else
        {
            if (!Schema.ContainsKey(key))
            {
                throw PyError.ValueError($"Unknown configuration key: {key}. Valid sections: {PyValue.Repr(Schema.Keys.Cast<object?>().ToList())}");
            }

            config[key] = value;
        }

        Save();
    }

    /// <summary>Config.unset: a dotted key back to its default; a top-level key back to its default.</summary>
    public void Unset(string key)
    {
        if (key.Contains('.', StringComparison.Ordinal))
        {
            SchemaAt(key);
            object? current = Defaults();
            foreach (var part in key.Split('.'))
            {
                current = current is PyDict dict && dict.TryGetValue(part, out var next) ? next : throw PyError.ValueError($"Config path not found: {key}");
            }

            SetNested(key, PyValue.DeepCopy(current));
        }
        else
        {
            if (!Schema.ContainsKey(key))
            {
                throw PyError.ValueError($"Unknown configuration key: {key}. Valid sections: {PyValue.Repr(Schema.Keys.Cast<object?>().ToList())}");
            }

            if (!config.ContainsKey(key))
            {
                throw PyError.ValueError($"Key not found in configuration: {key}");
            }

            config[key] = Defaults().TryGetValue(key, out var value) ? value : null;
        }

        Save();
    }

    /// <summary>config_utils.py save_yaml_config: the whole file rewritten (an OSError becomes a ValueError).</summary>
    public void Save()
    {
        var text = PyYamlWriter.Dump(config);
        try
        {
            process.Context.Files.WriteAllText(File, text);
        }
        catch (ContainerFileException e)
        {
            throw PyError.ValueError($"Failed to save config to {File}: [Errno {e.Errno}] {e.Description}: '{e.Path}'");
        }
    }

    /// <summary>
    /// Config.get_model_key (config.py 536-575): <c>VIBECTL_{P}_API_KEY</c>, then the file named by
    /// <c>VIBECTL_{P}_API_KEY_FILE</c>, then <c>providers.{p}.key</c>, then <c>providers.{p}.key_file</c>.
    /// </summary>
    public string? GetModelKey(string provider)
    {
        if (provider is not ("openai" or "anthropic" or "ollama"))
        {
            return null;
        }

        var environment = process.Context.Environment;
        var upper = provider.ToUpperInvariant();
        if (environment.GetValueOrDefault($"VIBECTL_{upper}_API_KEY") is { Length: > 0 } key)
        {
            return key;
        }

        if (environment.GetValueOrDefault($"VIBECTL_{upper}_API_KEY_FILE") is { Length: > 0 } keyFile && ReadKeyFile(keyFile) is { } fromFile)
        {
            return fromFile;
        }

        if (Get($"providers.{provider}.key") is { } configured && PyValue.Truthy(configured))
        {
            return PyValue.Str(configured);
        }

        return Get($"providers.{provider}.key_file") is { } configuredFile && PyValue.Truthy(configuredFile) ? ReadKeyFile(PyValue.Str(configuredFile)) : null;
    }

    private string? ReadKeyFile(string path)
    {
        var context = process.Context;
        var expanded = path.StartsWith('~') ? (context.Environment.GetValueOrDefault("HOME") ?? "/") + path[1..] : path;
        var full = ContainerFiles.Normalize(expanded, context.WorkingDirectory);
        return context.Files.FileExists(full) ? PyStr.Strip(context.Files.ReadAllText(full)) : null;
    }

    private void SetNested(string path, object? value)
    {
        var parts = path.Split('.');
        var current = config;
        foreach (var part in parts[..^1])
        {
            if (!current.TryGetValue(part, out var next))
            {
                next = new PyDict();
                current[part] = next;
            }

            current = next as PyDict ?? throw PyError.ValueError($"Cannot set nested value: {part} is not a dictionary");
        }

        current[parts[^1]] = value;
    }

    /// <summary>config_utils.py validate_config_key_path; the schema's type at the path.</summary>
    private static object SchemaAt(string path)
    {
        var parts = path.Split('.');
        object current = Schema;
        for (var i = 0; i < parts.Length; i++)
        {
            if (current is not Dictionary<string, object> dict || !dict.TryGetValue(parts[i], out var next))
            {
                var currentPath = string.Join('.', parts[..i]);
                if (currentPath.Length > 0)
                {
                    var available = current is Dictionary<string, object> section ? section.Keys.Cast<object?>().ToList() : [];
                    throw PyError.ValueError($"Invalid config path: {path}. '{parts[i]}' not found in section '{currentPath}'. Available keys: {PyValue.Repr(available)}");
                }

                throw PyError.ValueError($"Invalid config section: {parts[i]}. Available sections: {PyValue.Repr(Schema.Keys.Cast<object?>().ToList())}");
            }

            current = next;
        }

        return current;
    }

    /// <summary>config_utils.py convert_string_to_type, with its errors wrapped as "Invalid value for {key}: {value}".</summary>
    private static object? Convert(string value, object expected, string key)
    {
        var invalid = PyError.ValueError($"Invalid value for {key}: {value}");
        switch (expected)
        {
            case Kind.Bool:
                return value.ToLowerInvariant() switch
                {
                    "true" or "yes" or "1" or "on" => true,
                    "false" or "no" or "0" or "off" => false,
                    _ => throw invalid,
                };
            case Kind.Int:
                return PyValue.TryParseInt(value, out var integer) ? integer : throw invalid;
            case Kind.Float:
                return PyValue.TryParseFloat(value, out var number) ? number : throw invalid;
            case Kind.List:
                return ConvertList(value);
            case Kind.Str or Kind.StrOrNone:
                return value;
            case Kind.Dict:
                // dict("...") raises ValueError (or TypeError) for any string.
                throw invalid;
            default:
                // A section given as a leaf (config set llm x): the dict type is instantiated with the string.
                throw invalid;
        }
    }

    /// <summary>config_utils.py convert_string_to_list: a Python list literal of simple items, else comma-separated.</summary>
    private static List<object?> ConvertList(string text)
    {
        var value = PyStr.Strip(text);
        if (value.StartsWith('[') && value.EndsWith(']') && ListLiteralPattern().IsMatch(value))
        {
            return [.. ListItemPattern().Matches(value).Select(m => (object?)(m.Groups["s"].Success ? m.Groups["s"].Value : m.Groups["d"].Success ? m.Groups["d"].Value : m.Groups["n"].Value))];
        }

        if (value.Contains(',', StringComparison.Ordinal))
        {
            return [.. value.Split(',').Select(i => PyStr.Strip(i).Trim('"', '\'')).Where(i => i.Length > 0).Cast<object?>()];
        }

        return value.Length > 0 ? [PyStr.Strip(value).Trim('"', '\'')] : [];
    }

    [GeneratedRegex(@"\A\[\s*(?:(?:'[^'\\]*'|""[^""\\]*"")\s*(?:,\s*(?:'[^'\\]*'|""[^""\\]*"")\s*)*,?\s*)?\]\z")]
    private static partial Regex ListLiteralPattern();

    [GeneratedRegex(@"'(?<s>[^'\\]*)'|""(?<d>[^""\\]*)""|(?<n>[0-9]+)")]
    private static partial Regex ListItemPattern();

    /// <summary>config.py _validate_hierarchical_value: proxy ranges, CONFIG_VALID_VALUES, and llm.model against llm.</summary>
    private void Validate(string path, object? value, object expected)
    {
        var parts = path.Split('.');
        var keyName = parts[^1];
        if (value is null)
        {
            if (expected is Kind.StrOrNone)
            {
                return;
            }

            throw PyError.ValueError($"None is not a valid value for {path}\n\nTo reset this setting to its default, use: vibectl config unset {path}");
        }

        if (parts.Length >= 2 && parts[0] == "proxy" && keyName is "timeout_seconds" or "retry_attempts")
        {
            var (min, max) = keyName == "timeout_seconds" ? (1, 300) : (0, 10);
            if (value is BigInteger number && (number < min || number > max))
            {
                throw PyError.ValueError($"Invalid value for {path}: {PyValue.Str(value)}. Must be between {min} and {max}");
            }
        }

        if (keyName == "model")
        {
            // llm_interface.py is_valid_llm_model_name: llm.get_model; only "unknown model", "not found"
            // or "invalid model id" in the error make the name invalid.
            try
            {
                process.Catalogue().Get(PyValue.Str(value));
            }
            catch (PyError e) when (e.Str.ToLowerInvariant() is var text && (text.Contains("unknown model", StringComparison.Ordinal)
                || text.Contains("not found", StringComparison.Ordinal) || text.Contains("invalid model id", StringComparison.Ordinal)))
            {
                var message = $"Model name '{PyValue.Str(value)}' is not recognized by the underlying 'llm' library. See 'llm models --known' for available options.";
                process.Log.Warning(message);
                throw PyError.ValueError(message);
            }
            catch (PyError)
            {
                // Any other failure of llm counts as a valid name.
            }

            return;
        }

        if (ValidValues.TryGetValue(keyName, out var valid) && !valid.Contains(value as string, StringComparer.Ordinal))
        {
            var message = $"Invalid value for {path}: {PyValue.Str(value)}. Valid values are: {PyValue.Repr(valid.Cast<object?>().ToList())}";
            if (expected is Kind.StrOrNone)
            {
                message += $"\n\nTo clear this setting, use: vibectl config unset {path}";
            }

            throw PyError.ValueError(message);
        }
    }
}
