namespace KafkaDemo.Overseer.Agent;

/// <summary>
/// A change the cluster refused the agent, read from a line <c>vibectl auto</c> printed: its
/// admission policy's denial, or RBAC's. vibectl 0.11.6 prints a failed kubectl command on stderr as
/// <c>Error: Command failed with exit code {rc}: {kubectl's stderr}</c> (k8s_utils.py run_kubectl,
/// command_handler.py 261-264), and goes on with the round. kubectl prints the API server's refusal:
/// for a ValidatingAdmissionPolicy, <c>The kafkas "kafkademo" is invalid: : ValidatingAdmissionPolicy
/// '{policy}' with binding '{binding}' denied request: {message}</c> (k8s.io/apiserver
/// pkg/admission/plugin/policy/validating dispatcher.go, through kubectl's cmdutil.CheckErr for an
/// Invalid status); for RBAC, <c>Error from server (Forbidden): ... cannot patch resource ...</c>.
/// </summary>
/// <param name="Message">What was refused and why: the policy's message, or RBAC's sentence.</param>
/// <param name="Policy">The admission policy that denied it; null for RBAC.</param>
public sealed record AgentRefusal(string Message, string? Policy)
{
    private const string Failed = "Error: Command failed with exit code ";
    private const string PolicyMarker = "ValidatingAdmissionPolicy '";
    private const string Denied = "denied request: ";

    /// <summary>The refusal a line reports, or null when it reports none.</summary>
    public static AgentRefusal? Read(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!line.StartsWith(Failed, StringComparison.Ordinal))
        {
            return null;
        }

        var policyAt = line.IndexOf(PolicyMarker, StringComparison.Ordinal);
        var deniedAt = policyAt < 0 ? -1 : line.IndexOf(Denied, policyAt, StringComparison.Ordinal);
        if (deniedAt >= 0)
        {
            var nameStart = policyAt + PolicyMarker.Length;
            var nameEnd = line.IndexOf('\'', nameStart);
            return new AgentRefusal(line[(deniedAt + Denied.Length)..].Trim(), nameEnd > nameStart ? line[nameStart..nameEnd] : null);
        }

        // RBAC: "... is forbidden: User "system:serviceaccount:..." cannot patch resource "kafkatopics" ...".
        var forbidden = line.IndexOf("Error from server (Forbidden): ", StringComparison.Ordinal);
        return forbidden >= 0 && (line.Contains(" cannot patch resource ", StringComparison.Ordinal) || line.Contains(" cannot update resource ", StringComparison.Ordinal))
            ? new AgentRefusal(line[(forbidden + "Error from server (Forbidden): ".Length)..].Trim(), null)
            : null;
    }
}
