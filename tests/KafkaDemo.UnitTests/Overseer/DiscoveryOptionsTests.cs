extern alias overseer;

using overseer::KafkaDemo.Overseer.Options;

namespace KafkaDemo.UnitTests.Overseer;

/// <summary><c>Overseer:Discovery</c> checked at start-up with the Overseer section, each message naming its key.</summary>
public sealed class DiscoveryOptionsTests
{
    private static string? Failure(OverseerOptions options)
    {
        var result = new OverseerOptionsValidator().Validate(null, options);
        return result.Failed ? result.FailureMessage : null;
    }

    [Fact]
    public void Configured_the_default_still_needs_both_lists()
    {
        var failure = Failure(new OverseerOptions());

        Assert.NotNull(failure);
        Assert.Contains("Overseer:Producers must list at least one base URL", failure, StringComparison.Ordinal);
        Assert.Contains("Overseer:Consumers must list at least one base URL", failure, StringComparison.Ordinal);
        Assert.Equal((DiscoverySource.Configured, "kafkademo-load", DiscoveryRoute.PodProxy), (new DiscoveryOptions().Source, new DiscoveryOptions().Namespace, new DiscoveryOptions().Route));
    }

    [Fact]
    public void From_Kubernetes_no_list_is_needed()
    {
        Assert.Null(Failure(new OverseerOptions { Discovery = new DiscoveryOptions { Source = DiscoverySource.Kubernetes } }));
    }

    [Fact]
    public void Undefined_values_and_a_blank_namespace_are_refused_naming_the_key()
    {
        var failure = Failure(new OverseerOptions
        {
            Discovery = new DiscoveryOptions { Source = (DiscoverySource)7, Route = (DiscoveryRoute)9, Namespace = " " },
        });

        Assert.NotNull(failure);
        Assert.Contains("Overseer:Discovery:Source must be one of Configured, Kubernetes; it is 7", failure, StringComparison.Ordinal);
        Assert.Contains("Overseer:Discovery:Route must be one of PodProxy, Direct; it is 9", failure, StringComparison.Ordinal);
        Assert.Contains("Overseer:Discovery:Namespace must be set.", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_URL_listed_twice_is_refused_naming_both_keys()
    {
        var failure = Failure(new OverseerOptions { Producers = ["http://127.0.0.1:9"], Consumers = ["http://127.0.0.1:8", "http://127.0.0.1:9"] });

        Assert.Equal("Overseer:Producers:0 and Overseer:Consumers:1 list the same URL 'http://127.0.0.1:9'; each instance has its own.", failure);
        Assert.Null(Failure(new OverseerOptions { Producers = ["http://127.0.0.1:9"], Consumers = ["http://127.0.0.1:8"] }));
    }
}
