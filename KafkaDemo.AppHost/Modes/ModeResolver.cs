namespace KafkaDemo.AppHost.Modes;

/// <summary>Turns the requested mode into the mode that will run, with the reason for the choice.</summary>
public static class ModeResolver
{
    /// <exception cref="InvalidOperationException">The requested mode cannot run here.</exception>
    public static ModeDecision Resolve(DemoMode requested) => requested switch
    {
        DemoMode.Embedded => new ModeDecision(DemoMode.Embedded, "KafkaDemo:Mode is embedded."),
        DemoMode.External => new ModeDecision(DemoMode.External, "KafkaDemo:Mode is external."),
        DemoMode.Auto => new ModeDecision(
            DemoMode.Embedded,
            "KafkaDemo:Mode is auto and k3d mode is not available yet in this version, so the embedded Kafka runs."),
        DemoMode.K3d => throw new InvalidOperationException(
            "KafkaDemo:Mode=k3d is not yet available in this version. Use KafkaDemo:Mode=embedded (no Docker) "
            + "or KafkaDemo:Mode=external with ConnectionStrings:kafka=<bootstrap servers>."),
        _ => throw new ArgumentOutOfRangeException(nameof(requested), requested, "Unknown mode."),
    };
}
