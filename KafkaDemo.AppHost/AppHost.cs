using KafkaDemo.AppHost.Extensions;
using KafkaDemo.AppHost.Settings;

var builder = DistributedApplication.CreateBuilder(args);

var settings = KafkaDemoSettings.Read(builder.Configuration);
settings.ThrowIfInvalid();

var kafka = builder.AddDemoKafka(settings);
var secret = builder.AddHmacSecret();
var consumer = builder.AddDemoConsumer(settings, kafka, secret);
builder.AddDemoProducer(settings, kafka, secret, consumer);

builder.Build().Run();
