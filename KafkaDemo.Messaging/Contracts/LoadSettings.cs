namespace KafkaDemo.Messaging.Contracts;

/// <summary>The producer's load settings, as <c>GET /api/rate</c> returns them.</summary>
/// <param name="Rate">Target messages per second; 0 is unthrottled.</param>
/// <param name="Paused">Whether load is paused.</param>
/// <param name="MaxRate">Highest rate accepted.</param>
public sealed record LoadSettings(double Rate, bool Paused, double MaxRate);

/// <summary>Body of <c>PUT /api/rate</c>.</summary>
/// <param name="Rate">New target in messages per second, from 0 (unthrottled) to the maximum.</param>
public sealed record RateChange(double? Rate);

/// <summary>Body of <c>PUT /api/load</c>.</summary>
/// <param name="Paused">True to pause load, false to resume it.</param>
public sealed record LoadChange(bool? Paused);
