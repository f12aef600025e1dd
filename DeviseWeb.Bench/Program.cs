using DeviseWeb.Bench;
using DeviseWeb.Cli;

// DeviseWeb.Bench [--images DIR] [--limit N] [--scale N,N] [--quick] [--only features,import,train,scale,train-scale,pgvector] [--json] [--verbose]
try
{
    return await BenchCommand.RunAsync(new CliArguments(["bench", .. args]), Console.Out, Console.Error, CancellationToken.None);
}
catch (CliUsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(BenchCommand.UsageText);
    return CliCommands.Usage;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("cancelled");
    return CliCommands.Cancelled;
}
