using KafkaDemo.Consumer.Api;
using KafkaDemo.Consumer.Extensions;
using KafkaDemo.Consumer.Standalone;
using KafkaDemo.ServiceHosting.Messaging;
using KafkaDemo.ServiceHosting.Standalone;

if (StandaloneRunner.IsRequested(args))
{
    return await StandaloneRunner.RunAsync(args, StandaloneRun.Service);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddEnvelopes();
builder.AddConsumer();

var app = builder.Build();

app.UseProblemDetailsErrors();
app.MapDefaultEndpoints();
app.MapConsumerApi();

await app.RunAsync();
return 0;
