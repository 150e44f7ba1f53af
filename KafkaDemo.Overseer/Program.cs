using KafkaDemo.Overseer.Api;
using KafkaDemo.Overseer.Components;
using KafkaDemo.Overseer.Extensions;
using KafkaDemo.Overseer.PageAccess;
using KafkaDemo.ServiceHosting.ControlAccess;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddControlAccess(args);
builder.AddOverseer();
builder.AddPageAccess();

var app = builder.Build();

app.UseProblemDetailsErrors();
app.UseControlAccess();
app.UsePageAccess();
app.UseAntiforgery();
app.MapStaticAssets();
app.MapDefaultEndpoints();
app.MapOverseerApi();
app.MapAgentApi();
app.MapPageLogin();
// Blazor's own frame-ancestors header ('self') is off: PageAccessMiddleware sends 'none' on the
// page and on its refusals, one policy.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);

app.Run();
