using KafkaDemo.AppHost.Settings;
using KafkaDemo.TestSupport;

namespace KafkaDemo.AppHost.Tests.Settings;

/// <summary>The AppHost's <c>KafkaDemo</c> section is checked as the services check their options: a generated validator, attributes that name the key.</summary>
public sealed class SettingsValidationTests
{
    public static TheoryData<Type, string> Sections => new()
    {
        { typeof(KafkaDemoSettings), "KafkaDemo" },
        { typeof(EmbeddedKafkaSettings), "KafkaDemo:Embedded" },
        { typeof(K3dSettings), "KafkaDemo:K3d" },
        { typeof(AgentSettings), "KafkaDemo:Agent" },
        { typeof(PortSettings), "KafkaDemo:Ports" },
    };

    [Theory]
    [MemberData(nameof(Sections))]
    public void Every_attribute_message_starts_with_its_key(Type section, string key)
    {
        Assert.NotEmpty(OptionsKeys.Attributes(section));
        Assert.Empty(OptionsKeys.NotNamingTheirKey(section, key));
    }

    [Fact]
    public void The_defaults_are_valid() => Assert.Empty(new KafkaDemoSettings().Problems());

    [Fact]
    public void Nested_sections_are_checked_by_their_attributes_and_their_own_rules()
    {
        var settings = new KafkaDemoSettings
        {
            K3d = { ClusterName = "Kafka_Demo", Storage = "" },
            Controller = { MinRate = 500, MaxRate = 400 },
            Ports = { Producer = 0 },
        };

        Assert.Equal(
        [
            "KafkaDemo:K3d:ClusterName must be 1 to 32 lowercase letters, digits or '-', starting with a letter; it is 'Kafka_Demo'.",
            "KafkaDemo:K3d:Storage must be ephemeral or persistent; it is ''.",
            "KafkaDemo:Controller:MaxRate must be from MinRate (500) to 5,000,000 messages per second; it is 400.",
            "KafkaDemo:Ports:Producer must be a TCP port (1 to 65535); it is 0.",
        ], settings.Problems());
    }
}
