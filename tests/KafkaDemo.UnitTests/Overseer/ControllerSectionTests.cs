extern alias overseer;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using overseer::KafkaDemo.Overseer.Control;
using overseer::KafkaDemo.Overseer.Extensions;

namespace KafkaDemo.UnitTests.Overseer;

/// <summary>
/// The controller's settings are bound from their own section, <c>Overseer:Controller</c>, by
/// <c>AddOverseer</c>, and checked at start-up with messages that name the key.
/// </summary>
public sealed class ControllerSectionTests
{
    [Fact]
    public void The_loop_runs_with_the_settings_of_the_Overseer_Controller_section()
    {
        using var host = Build(new() { ["Overseer:Controller:SloP99Ms"] = "40", ["Overseer:Controller:ConfirmWindows"] = "6" });

        var settings = host.Services.GetRequiredService<ControlLoop>().Settings;

        Assert.Equal((40, 6), (settings.SloP99Ms, settings.ConfirmWindows));
    }

    [Fact]
    public async Task A_bad_controller_setting_stops_the_start_and_names_its_key()
    {
        using var host = Build(new() { ["Overseer:Controller:ConfirmWindows"] = "1" });

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(refused.Failures, f => f.StartsWith("Overseer:Controller:ConfirmWindows ", StringComparison.Ordinal));
    }

    private static IHost Build(Dictionary<string, string?> controller)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Overseer:Producers:0"] = "http://producer",
            ["Overseer:Consumers:0"] = "http://consumer",
            ["Logging:LogLevel:Default"] = "None",
        });
        builder.Configuration.AddInMemoryCollection(controller);
        builder.AddOverseer();
        return builder.Build();
    }
}
