using KafkaDemo.AppHost.Settings;

namespace KafkaDemo.AppHost.Modes;

/// <summary>The mode the AppHost will run in, and why.</summary>
public sealed record ModeDecision(DemoMode Mode, string Reason);
