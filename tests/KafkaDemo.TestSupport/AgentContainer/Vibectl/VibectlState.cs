namespace KafkaDemo.TestSupport.AgentContainer;

/// <summary>
/// vibectl's settings and memory in a pod, as its config file holds them (vibectl/config.py: the
/// top-level <c>memory_content</c>, everything else in sections), read with PyYAML's rules.
/// </summary>
public sealed class VibectlState
{
    private readonly PyDict config;

    private VibectlState(string text, PyDict config)
    {
        Text = text;
        this.config = config;
    }

    /// <summary>The file as written (PyYAML's dump).</summary>
    public string Text { get; }

    /// <summary>memory_content; empty when null or absent.</summary>
    public string Memory => Setting("memory_content") ?? "";

    /// <summary>system.custom_instructions, or null.</summary>
    public string? Instructions => Setting("system.custom_instructions");

    /// <summary>The value at a dotted path as Python's <c>str()</c> prints it (<c>2000</c>, <c>True</c>), or null when absent or None.</summary>
    public string? Setting(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        object? current = config;
        foreach (var part in path.Split('.'))
        {
            if (current is not PyDict dict || !dict.TryGetValue(part, out current))
            {
                return null;
            }
        }

        return current is null ? null : PyValue.Str(current);
    }

    internal static VibectlState Parse(string text) =>
        new(text, PyYamlReader.Load(text) as PyDict ?? new PyDict());
}
