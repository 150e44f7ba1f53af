namespace KafkaDemo.Overseer.Discovery;

/// <summary>One ready pod behind the load's headless Services.</summary>
/// <param name="Pod">The pod's name: the instance name (a producer's <c>Producer__InstanceId</c> is its pod's name).</param>
/// <param name="IsProducer">Behind the Service producer, or consumer.</param>
/// <param name="PodIP">The endpoint's first address.</param>
/// <param name="Port">The endpoint port named <c>http</c>.</param>
public sealed record DiscoveredInstance(string Pod, bool IsProducer, string PodIP, int Port);
