using KafkaDemo.EmbeddedKafka.Control;
using KafkaDemo.EmbeddedKafka.Extensions;
using KafkaDemo.ServiceHosting.ControlAccess;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddControlAccess(args);
builder.AddEmbeddedKafka();

var app = builder.Build();

app.UseProblemDetailsErrors();
app.UseControlAccess();
app.MapDefaultEndpoints();
app.MapClusterControl();

return await app.RunUntilStartFailsAsync();
