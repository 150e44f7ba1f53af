using KafkaDemo.AppHost.Extensions;
using KafkaDemo.AppHost.Settings;

var builder = DistributedApplication.CreateBuilder(args);

var settings = KafkaDemoSettings.Read(builder.Configuration);
settings.ThrowIfInvalid();

var kafka = builder.AddDemoKafka(settings);
var secret = builder.AddHmacSecret();
var controlToken = builder.AddControlToken();
kafka.WithControlToken(builder, controlToken);
var consumers = builder.AddDemoConsumers(settings, kafka, secret);
var producers = builder.AddDemoProducers(settings, kafka, secret, controlToken, consumers);
builder.AddDemoOverseer(settings, kafka, controlToken, producers, consumers);

builder.Build().Run();
