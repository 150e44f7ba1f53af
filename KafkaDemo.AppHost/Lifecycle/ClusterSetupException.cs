namespace KafkaDemo.AppHost.Lifecycle;

/// <summary>Setting up a cluster the demo uses (a k3d cluster it creates, or an existing one it is given) cannot go on: says what is wrong and how to fix it.</summary>
public sealed class ClusterSetupException : Exception
{
    public ClusterSetupException(string cause, string fix, Exception? innerException = null)
        : base($"{cause} {fix}", innerException)
    {
        Cause = cause;
        Fix = fix;
    }

    public ClusterSetupException()
        : this("Setting up the cluster failed.", "See the log.")
    {
    }

    public ClusterSetupException(string message)
        : this(message, "See the log.")
    {
    }

    public ClusterSetupException(string message, Exception innerException)
        : this(message, "See the log.", innerException)
    {
    }

    /// <summary>What went wrong.</summary>
    public string Cause { get; }

    /// <summary>What to do about it.</summary>
    public string Fix { get; }
}
