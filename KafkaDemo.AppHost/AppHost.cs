using KafkaDemo.AppHost.Extensions;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Modes;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Tools;

// A setting or a tool the mode needs is missing: one plain line and exit code 1 (StartUpFailure).
try
{
    var builder = DistributedApplication.CreateBuilder(args);

    var settings = KafkaDemoSettings.Read(builder.Configuration);
    settings.ThrowIfInvalid();
    var decision = await ModeResolver.ResolveAsync(settings.ParsedMode, new K3dCli(new CliProcessRunner(), settings.K3d), CancellationToken.None);

    var mode = builder.AddKafkaForMode(settings, decision);
    var secret = builder.AddHmacSecret();
    var controlToken = builder.AddControlToken();
    mode.WithControlToken(builder, controlToken);
    if (settings.ParsedPlacement == LoadPlacement.Cluster)
    {
        var load = builder.AddLoadInCluster(settings, mode, secret, controlToken);
        builder.AddDemoOverseer(settings, mode, controlToken, [], []).WithLoadInCluster(load);
    }
    else
    {
        var consumers = builder.AddDemoConsumers(settings, mode, secret);
        var producers = builder.AddDemoProducers(settings, mode, secret, controlToken, consumers);
        builder.AddDemoOverseer(settings, mode, controlToken, producers, consumers);
    }

    builder.Build().Run();
    return 0;
}
catch (Exception ex) when (StartUpFailure.EndsTheProcess && StartUpFailure.IsKnown(ex))
{
    return StartUpFailure.Report(ex);
}
