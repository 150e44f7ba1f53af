namespace KafkaDemo.AppHost.Settings;

/// <summary>The <c>KafkaDemo</c> section is invalid: the message lists every problem, each naming its key.</summary>
public sealed class InvalidSettingsException : Exception
{
    public InvalidSettingsException(IReadOnlyList<string> problems)
        : base("Invalid AppHost configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems ?? []))
    {
        Problems = problems ?? [];
    }

    public InvalidSettingsException()
        : this([])
    {
    }

    public InvalidSettingsException(string message)
        : base(message)
    {
        Problems = [message];
    }

    public InvalidSettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Each problem, naming its configuration key.</summary>
    public IReadOnlyList<string> Problems { get; }
}
