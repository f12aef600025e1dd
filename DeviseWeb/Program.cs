using DeviseWeb.Cli;
using DeviseWeb.Extensions;

if (CliCommands.IsVerb(args)) return await CliCommands.RunAsync(args);

var builder = DeviseWebExtensions.CreateDeviseWebBuilder(args);
builder.Services.AddDeviseWeb(builder.Configuration);

var app = builder.Build();
app.MapDeviseWeb();
app.PrintAddressesOnStart();
await app.RunAsync();
return 0;

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
