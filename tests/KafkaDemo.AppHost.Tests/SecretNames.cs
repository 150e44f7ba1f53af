using System.Text.RegularExpressions;

namespace KafkaDemo.AppHost.Tests;

/// <summary>Names that look like they hold a secret (an ARG, an ENV, an environment variable, a ConfigMap key), for the checks that none is set in the open.</summary>
internal static partial class SecretNames
{
    [GeneratedRegex("KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL", RegexOptions.IgnoreCase)]
    public static partial Regex Pattern();
}
