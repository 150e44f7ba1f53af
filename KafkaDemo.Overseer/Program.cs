using KafkaDemo.Messaging.ControlAccess;
using KafkaDemo.Overseer.Api;
using KafkaDemo.Overseer.Components;
using KafkaDemo.Overseer.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddControlAccess(args);
builder.AddOverseer();

var app = builder.Build();

app.UseProblemDetailsErrors();
app.UseControlAccess();
app.UseAntiforgery();
app.MapStaticAssets();
app.MapDefaultEndpoints();
app.MapOverseerApi();
app.MapAgentApi();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
