using System.Text.Json.Nodes;

namespace KafkaDemo.TestSupport.Kubernetes;

/// <summary>Where an exec runs: the pod as stored, its runtime, and the running container.</summary>
internal sealed record ExecTarget(JsonObject Pod, PodRuntime Runtime, RunningContainer Container);
