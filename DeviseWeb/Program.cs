using DeviseWeb.Cli;
using DeviseWeb.Engine;
using DeviseWeb.Extensions;

if (CliCommands.IsVerb(args)) return await CliCommands.RunAsync(args);

var builder = DeviseWebExtensions.CreateDeviseWebBuilder(args);
builder.Services.AddDeviseWeb(builder.Configuration);

try
{
    var app = builder.Build();
    app.MapDeviseWeb();
    app.PrintAddressesOnStart();
    await app.RunAsync();
}
catch (Exception e) when (SettingChecks.Problems(e) is { } problems)
{
    // A bad setting stops the app at start; the message names the setting and its range, which a stack trace would bury.
    Console.Error.WriteLine($"error: {problems}");
    return 1;
}
return 0;

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
