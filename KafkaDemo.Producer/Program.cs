using KafkaDemo.Producer.Api;
using KafkaDemo.Producer.Extensions;
using KafkaDemo.Producer.Standalone;
using KafkaDemo.ServiceHosting.ControlAccess;
using KafkaDemo.ServiceHosting.Messaging;
using KafkaDemo.ServiceHosting.Standalone;

if (StandaloneRunner.IsRequested(args))
{
    return await StandaloneRunner.RunAsync(args, StandaloneRun.Service);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddEnvelopes();
builder.AddControlAccess(args);
builder.AddProducer();

var app = builder.Build();

app.UseProblemDetailsErrors();
app.UseControlAccess();
app.MapDefaultEndpoints();
app.MapProducerApi();

await app.RunAsync();
return Environment.ExitCode; // 0, unless start-up checks stopped the service (LoopbackBinding)
