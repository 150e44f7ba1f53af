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
var controlToken = builder.AddControlToken();
kafka.WithControlToken(builder, controlToken);
var consumers = builder.AddDemoConsumers(settings, kafka, secret);
var producers = builder.AddDemoProducers(settings, kafka, secret, controlToken, consumers);
builder.AddDemoOverseer(settings, kafka, controlToken, producers, consumers);

builder.Build().Run();
