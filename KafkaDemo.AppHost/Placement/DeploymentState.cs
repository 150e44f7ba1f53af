using System.Globalization;
using System.Text.Json.Nodes;

namespace KafkaDemo.AppHost.Placement;

/// <summary>What the dashboard shows for a Deployment of the load: a state, its style, and "ready/wanted".</summary>
public sealed record DeploymentState(string Text, string Style, string Ready)
{
    /// <summary>
    /// The reasons a container waits that it will not get out of by itself (kubelet's waiting reasons:
    /// kubernetes pkg/kubelet/images/types.go ErrImagePull, ErrImageNeverPull, ImagePullBackOff,
    /// InvalidImageName; pkg/kubelet/kuberuntime CreateContainerConfigError; CrashLoopBackOff).
    /// </summary>
    public static readonly IReadOnlySet<string> StuckReasons = new HashSet<string>(StringComparer.Ordinal)
    {
        "ErrImagePull", "ErrImageNeverPull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError", "CrashLoopBackOff",
    };

    /// <summary>
    /// The state of <paramref name="deployment"/> (null: not there yet): FailedToStart with
    /// <paramref name="podProblem"/> while a pod is stuck, or when the rollout exceeded its progress
    /// deadline; Running once a pod is ready (or none is wanted); Starting before.
    /// </summary>
    public static DeploymentState Of(JsonObject? deployment, string? podProblem)
    {
        var wanted = (int?)deployment?["spec"]?["replicas"] ?? 0;
        var ready = (int?)deployment?["status"]?["readyReplicas"] ?? 0;
        var counts = string.Create(CultureInfo.InvariantCulture, $"{ready}/{wanted} ready");
        var progressing = deployment?["status"]?["conditions"]?.AsArray().OfType<JsonObject>().LastOrDefault(c => (string?)c["type"] == "Progressing");
        if (deployment is null)
        {
            return new(KnownResourceStates.Starting, KnownResourceStateStyles.Info, "0/0 ready");
        }

        if (podProblem is not null || (string?)progressing?["reason"] == "ProgressDeadlineExceeded")
        {
            return new(KnownResourceStates.FailedToStart, KnownResourceStateStyles.Error, counts);
        }

        return ready > 0 || wanted == 0
            ? new(KnownResourceStates.Running, ready == wanted ? KnownResourceStateStyles.Success : KnownResourceStateStyles.Warn, counts)
            : new(KnownResourceStates.Starting, KnownResourceStateStyles.Info, counts);
    }

    /// <summary>The first stuck container among the pods, as "pod: reason: message"; null when none is.</summary>
    public static string? PodProblem(IEnumerable<JsonObject> pods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        foreach (var pod in pods)
        {
            foreach (var status in pod["status"]?["containerStatuses"]?.AsArray().OfType<JsonObject>() ?? [])
            {
                if (status["state"]?["waiting"] is JsonObject waiting && (string?)waiting["reason"] is { } reason && StuckReasons.Contains(reason))
                {
                    return $"Pod {(string?)pod["metadata"]?["name"]}: {reason}: {(string?)waiting["message"] ?? "(no message)"}";
                }
            }
        }

        return null;
    }
}
