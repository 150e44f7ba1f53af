using KafkaDemo.EmbeddedKafka.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddEmbeddedKafka();

var app = builder.Build();

app.MapDefaultEndpoints();

return await app.RunUntilStartFailsAsync();
