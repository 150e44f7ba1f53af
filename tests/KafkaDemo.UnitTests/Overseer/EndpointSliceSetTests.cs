extern alias overseer;

using k8s.Models;
using KafkaDemo.DeploymentContract.Load;
using overseer::KafkaDemo.Overseer.Discovery;

namespace KafkaDemo.UnitTests.Overseer;

/// <summary>The load's EndpointSlices turned into the instances the Overseer polls.</summary>
public sealed class EndpointSliceSetTests
{
    private static V1Endpoint Endpoint(string pod, string ip, bool? ready = true, string kind = "Pod") => new()
    {
        Addresses = [ip],
        Conditions = new V1EndpointConditions { Ready = ready, Serving = ready, Terminating = ready == false },
        TargetRef = new V1ObjectReference { Kind = kind, Name = pod, NamespaceProperty = LoadDeployment.Namespace },
    };

    private static V1EndpointSlice Slice(string service, string name, string portName = LoadDeployment.HttpPortName, int port = LoadDeployment.HttpPort, params V1Endpoint[] endpoints) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = LoadDeployment.Namespace,
            Labels = new Dictionary<string, string> { [EndpointSliceSet.ServiceNameLabel] = service },
        },
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Name = portName, Port = port, Protocol = "TCP" }],
        Endpoints = endpoints,
    };

    [Fact]
    public void Every_ready_endpoint_is_one_instance_named_by_its_pod_with_the_http_port_across_slices()
    {
        var instances = EndpointSliceSet.Instances(
        [
            Slice("producer", "producer-abcde", endpoints: [Endpoint("producer-7d9f-b", "10.42.0.12"), Endpoint("producer-7d9f-a", "10.42.0.11")]),
            Slice("producer", "producer-fghij", port: 8081, endpoints: [Endpoint("producer-7d9f-c", "10.42.0.13")]),
            Slice("consumer", "consumer-klmno", endpoints: [Endpoint("consumer-5c4d-a", "10.42.0.21")]),
        ]);

        Assert.Equal(
            [
                new DiscoveredInstance("producer-7d9f-a", true, "10.42.0.11", 8080),
                new DiscoveredInstance("producer-7d9f-b", true, "10.42.0.12", 8080),
                new DiscoveredInstance("producer-7d9f-c", true, "10.42.0.13", 8081),
                new DiscoveredInstance("consumer-5c4d-a", false, "10.42.0.21", 8080),
            ],
            instances);
    }

    [Fact]
    public void Endpoints_not_ready_or_without_a_pod_are_left_out_and_an_unknown_readiness_counts_as_ready()
    {
        var instances = EndpointSliceSet.Instances(
        [
            Slice("producer", "producer-abcde", endpoints:
            [
                Endpoint("producer-terminating", "10.42.0.11", ready: false),
                Endpoint("producer-unknown", "10.42.0.12", ready: null),
                Endpoint("not-a-pod", "10.42.0.13", kind: "Node"),
                new V1Endpoint { Addresses = ["10.42.0.14"], Conditions = new V1EndpointConditions { Ready = true } },
            ]),
        ]);

        Assert.Equal([new DiscoveredInstance("producer-unknown", true, "10.42.0.12", 8080)], instances);
    }

    [Fact]
    public void An_endpoint_in_two_slices_while_it_moves_counts_once()
    {
        var instances = EndpointSliceSet.Instances(
        [
            Slice("producer", "producer-abcde", endpoints: [Endpoint("producer-a", "10.42.0.11")]),
            Slice("producer", "producer-fghij", endpoints: [Endpoint("producer-a", "10.42.0.11")]),
        ]);

        Assert.Single(instances);
    }

    [Fact]
    public void Slices_of_other_services_without_the_http_port_or_without_endpoints_give_nothing()
    {
        var instances = EndpointSliceSet.Instances(
        [
            Slice("kafkademo-kafka-brokers", "brokers-abcde", endpoints: [Endpoint("kafkademo-dual-0", "10.42.0.31")]),
            Slice("producer", "producer-abcde", portName: "metrics", endpoints: [Endpoint("producer-a", "10.42.0.11")]),
            new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = "consumer-empty", Labels = new Dictionary<string, string> { [EndpointSliceSet.ServiceNameLabel] = "consumer" } },
                AddressType = "IPv4",
            },
        ]);

        Assert.Empty(instances);
    }
}
