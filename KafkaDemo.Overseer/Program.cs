using KafkaDemo.Overseer.Api;
using KafkaDemo.Overseer.Components;
using KafkaDemo.Overseer.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOverseer();

var app = builder.Build();

app.UseProblemDetailsErrors();
app.UseAntiforgery();
app.MapStaticAssets();
app.MapDefaultEndpoints();
app.MapOverseerApi();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
