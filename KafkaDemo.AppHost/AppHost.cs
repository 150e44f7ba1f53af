using KafkaDemo.AppHost.Extensions;
using KafkaDemo.AppHost.K3d;
using KafkaDemo.AppHost.Kafka;
using KafkaDemo.AppHost.Modes;
using KafkaDemo.AppHost.Settings;
using KafkaDemo.AppHost.Tools;

var builder = DistributedApplication.CreateBuilder(args);

var settings = KafkaDemoSettings.Read(builder.Configuration);
settings.ThrowIfInvalid();
var mode = await ModeResolver.ResolveAsync(settings.ParsedMode, new K3dCli(new CliProcessRunner(), settings.K3d), CancellationToken.None);

var kafka = builder.AddDemoKafka(settings, mode);
var secret = builder.AddHmacSecret();
var consumers = builder.AddDemoConsumers(settings, kafka, secret);
var producers = builder.AddDemoProducers(settings, kafka, secret, consumers);
builder.AddDemoOverseer(settings, kafka, producers, consumers);

builder.Build().Run();
