using KafkaDemo.EmbeddedKafka.Control;
using KafkaDemo.EmbeddedKafka.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddEmbeddedKafka();

var app = builder.Build();

app.UseProblemDetailsErrors();
app.MapDefaultEndpoints();
app.MapClusterControl();

return await app.RunUntilStartFailsAsync();
