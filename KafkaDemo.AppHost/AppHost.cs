using KafkaDemo.AppHost.Extensions;
using KafkaDemo.AppHost.Settings;

var builder = DistributedApplication.CreateBuilder(args);

var settings = KafkaDemoSettings.Read(builder.Configuration);
settings.ThrowIfInvalid();

var kafka = builder.AddDemoKafka(settings);
var secret = builder.AddHmacSecret();
var consumers = builder.AddDemoConsumers(settings, kafka, secret);
var producers = builder.AddDemoProducers(settings, kafka, secret, consumers);
builder.AddDemoOverseer(settings, kafka, producers, consumers);

builder.Build().Run();
