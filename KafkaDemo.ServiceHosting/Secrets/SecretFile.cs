namespace KafkaDemo.ServiceHosting.Secrets;

/// <summary>
/// Reads a secret kept in a file (a mounted secret, or one only its owner can read), so that it
/// need not appear on a command line, where <c>ps</c> shows it to every user of the machine.
/// </summary>
public static class SecretFile
{
    /// <summary>The file's first line, without the line break.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static string Read(string path)
    {
        using var reader = new StreamReader(path);
        return reader.ReadLine() ?? "";
    }
}
