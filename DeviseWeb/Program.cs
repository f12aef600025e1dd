using DeviseWeb.Cli;

if (CliCommands.IsVerb(args)) return await CliCommands.RunAsync(args);
Console.Error.WriteLine("The web app is not built yet; run a verb, e.g. 'DeviseWeb help'.");
return 2;

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
