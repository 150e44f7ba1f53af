using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KafkaDemo.Overseer.Agent;

/// <summary>
/// vibectl's settings and memory as it stores them: the YAML file
/// <see cref="DeploymentContract.Agent.AgentDeployment.ConfigFile"/>, read with <c>cat</c>. vibectl 0.11.6
/// writes it with PyYAML (config_utils.py save_yaml_config: <c>yaml.dump(..., default_flow_style=False)</c>:
/// keys sorted, non-ASCII escaped in double quotes, long strings folded at 80 columns), so a line
/// reader would not do; a YAML parser gives the exact strings back. Memory is the top-level key
/// <c>memory_content</c> (config.py DEFAULT_CONFIG, <c>null</c> when empty); everything else is in
/// sections (<c>memory.max_chars</c>, <c>llm.model</c>, ...). vibectl-0.11.6.md §3.
/// </summary>
public sealed class VibectlConfigFile
{
    private readonly YamlMappingNode _root;

    private VibectlConfigFile(YamlMappingNode root) => _root = root;

    /// <summary>The memory exactly as stored; empty when it is null or absent.</summary>
    public string Memory => Get("memory_content") ?? "";

    /// <exception cref="FormatException">The text is not YAML, or not a mapping.</exception>
    public static VibectlConfigFile Parse(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new FormatException($"vibectl's config file is not YAML: {ex.Message}", ex);
        }

        if (stream.Documents.Count == 0)
        {
            return new VibectlConfigFile([]); // an empty file: every setting at vibectl's default
        }

        return stream.Documents[0].RootNode is YamlMappingNode root
            ? new VibectlConfigFile(root)
            : throw new FormatException("vibectl's config file is not a mapping of settings.");
    }

    /// <summary>The scalar at a dotted path (<c>llm.model</c>, <c>memory_content</c>), or null when it is absent or YAML null.</summary>
    public string? Get(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        YamlNode node = _root;
        foreach (var part in path.Split('.'))
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(part), out var child))
            {
                return null;
            }

            node = child;
        }

        return node is YamlScalarNode scalar && !IsNull(scalar) ? scalar.Value : null;
    }

    /// <summary>
    /// Why the setting at <paramref name="path"/> is not <paramref name="expected"/> (typed as vibectl's
    /// schema types it: config.py CONFIG_SCHEMA, config_utils.py convert_string_to_type), or null when it is.
    /// </summary>
    public string? Mismatch(string path, string expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var actual = Get(path);
        var same = actual is not null && (TryBool(expected, out var wantBool)
            ? TryBool(actual, out var isBool) && isBool == wantBool
            : int.TryParse(expected, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var wantInt)
                ? int.TryParse(actual, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var isInt) && isInt == wantInt
                : actual == expected);
        return same ? null : $"{path} reads back as {(actual is null ? "nothing" : $"'{Shorten(actual)}'")}, not '{Shorten(expected)}'";
    }

    /// <summary>YAML 1.1's booleans, as PyYAML reads and writes them.</summary>
    private static bool TryBool(string text, out bool value)
    {
        switch (text.ToLowerInvariant())
        {
            case "true" or "yes" or "on":
                value = true;
                return true;
            case "false" or "no" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>A plain <c>null</c>, <c>~</c> or nothing is YAML's null; a quoted "null" is a string.</summary>
    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style is ScalarStyle.Plain or ScalarStyle.Any && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string Shorten(string text) => text.Length <= 80 ? text : $"{text[..77]}...";
}
