namespace KafkaDemo.AppHost.Lifecycle;

/// <summary>The k3d mode cannot go on: says what is wrong and how to fix it.</summary>
public sealed class K3dSetupException : Exception
{
    public K3dSetupException(string cause, string fix, Exception? innerException = null)
        : base($"{cause} {fix}", innerException)
    {
        Cause = cause;
        Fix = fix;
    }

    public K3dSetupException()
        : this("The k3d mode failed.", "See the log.")
    {
    }

    public K3dSetupException(string message)
        : this(message, "See the log.")
    {
    }

    public K3dSetupException(string message, Exception innerException)
        : this(message, "See the log.", innerException)
    {
    }

    /// <summary>What went wrong.</summary>
    public string Cause { get; }

    /// <summary>What to do about it.</summary>
    public string Fix { get; }
}
