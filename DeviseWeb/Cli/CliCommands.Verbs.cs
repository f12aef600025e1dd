using DeviseWeb.Engine;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Cli;

public static partial class CliCommands
{
    private static async Task<int> ImportAsync(CommandContext c)
    {
        string path = c.Cli.RequirePositional(0, "a folder (or an image file)");
        string? label = c.Cli.Get("--label");
        if (File.Exists(path))
        {
            var result = await c.Engine.ImportFileAsync(path, label ?? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))), c.CancellationToken);
            if (c.Json) WriteJson(c, result);
            else c.Output.WriteLine(result.Outcome switch
            {
                ImportOutcome.Added => $"added #{result.Image!.Id} {result.FileName} as '{result.Image.Label}'",
                ImportOutcome.Duplicate => $"skipped {result.FileName}: {result.Reason}",
                _ => $"rejected {result.FileName}: {result.Reason}",
            });
            return result.Outcome == ImportOutcome.Rejected ? 1 : 0;
        }
        if (label is not null) throw new CliUsageException("--label applies to a single file; a folder's labels come from its subfolders.");
        using var bar = new ConsoleProgress("import", 1, c.Errors);
        var progress = new SynchronousProgress<ImportProgress>(p =>
            bar.Report(p.Done, p.Total, $"{p.Added} added, {p.Duplicates} duplicate, {p.Rejected} rejected"));
        var summary = await c.Engine.ImportFolderAsync(path, progress, c.CancellationToken);
        bar.Dispose();
        if (c.Json) { WriteJson(c, summary); return 0; }
        c.Output.WriteLine($"Imported {summary.Added} images ({summary.Duplicates} duplicates skipped, {summary.Rejected} rejected) in {summary.Elapsed.TotalSeconds:0.0} s.");
        foreach (var r in summary.Rejections) c.Output.WriteLine($"  rejected {r.FileName}: {r.Reason}");
        c.Output.WriteLine($"The gallery now holds {c.Engine.GetStatus().ImageCount} images; new ones are searchable {(c.Engine.ActiveModel is null ? "after training" : "now")}.");
        return 0;
    }

    private static async Task<int> TrainAsync(CommandContext c)
    {
        var options = new TrainingOptions
        {
            Epochs = c.Cli.GetInt("--epochs", 30),
            LearningRate = c.Cli.GetDouble("--lr", 2e-3),
            BatchSize = c.Cli.GetInt("--batch", 64),
            HiddenSize = c.Cli.GetInt("--hidden", 1024),
            Dropout = c.Cli.GetDouble("--dropout", 0.2),
            HeldOutLabelCount = c.Cli.GetInt("--holdout", 10),
            HeldOutLabels = (c.Cli.Get("--holdout-labels") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Seed = c.Cli.GetInt("--seed", 42),
            Activate = !c.Cli.Has("--no-activate"),
        };
        using var bar = new ConsoleProgress("train", options.Epochs, c.Errors);
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            bar.Report((int)Math.Round(p.Fraction * options.Epochs * p.StepsPerEpoch), options.Epochs * p.StepsPerEpoch,
                $"epoch {p.Epoch}/{p.Epochs} loss {p.TrainLoss:0.0000}" + (p.ValidationLoss is { } v ? $" val {v:0.0000}" : ""), p.Remaining);
            if (p.Phase == TrainingPhase.Epoch && !c.Json && Console.IsErrorRedirected)
                c.Errors.WriteLine($"epoch {p.Epoch,3}/{p.Epochs}  train {p.TrainLoss:0.0000}  validation {p.ValidationLoss:0.0000}  lr {p.LearningRate:0.00000}");
        });
        var model = await c.Engine.TrainAsync(options, progress, c.CancellationToken);
        bar.Dispose();
        if (c.Json) { WriteJson(c, model); return 0; }
        c.Output.WriteLine($"Model version {model.Id}: {model.Architecture}, {model.TrainCount} train / {model.ValidationCount} validation / {model.HeldOutCount} held-out images, {model.DurationSeconds:0.0} s{(model.IsActive ? ", active" : "")}.");
        c.Output.WriteLine($"Held-out labels: {string.Join(", ", model.HeldOutLabels)}");
        WriteReport(c, model.Evaluation!);
        return 0;
    }

    private static int Search(CommandContext c)
    {
        string text = string.Join(' ', c.Cli.Positional);
        if (text.Trim().Length == 0) throw new CliUsageException("'search' needs words to search for.");
        var result = c.Engine.SearchText(text, c.Cli.GetInt("--k", 10), (float)c.Cli.GetDouble("--min-score", -1), ModelOption(c));
        WriteHits(c, result);
        return 0;
    }

    private static async Task<int> SimilarAsync(CommandContext c)
    {
        var query = await ImageQueryAsync(c);
        WriteHits(c, c.Engine.Search(query with { K = c.Cli.GetInt("--k", 10), ModelId = ModelOption(c) }));
        return 0;
    }

    private static async Task<int> KeywordsAsync(CommandContext c)
    {
        var query = await ImageQueryAsync(c);
        int k = c.Cli.GetInt("--k", 10);
        using (var bar = new ConsoleProgress("embedding the WordNet vocabulary (once)", 1, c.Errors))
            await c.Engine.EnsureVocabularyAsync(new SynchronousProgress<(int Done, int Total)>(p => bar.Report(p.Done, p.Total, "words")), c.CancellationToken);
        var words = query.ImageIds.Count > 0
            ? c.Engine.Keywords(query.ImageIds[0], k, ModelOption(c))
            : c.Engine.KeywordsForReference(query.ReferenceHashes[0], k, ModelOption(c));
        if (c.Json) { WriteJson(c, words); return 0; }
        foreach (var w in words) c.Output.WriteLine($"{w.Score,7:0.000}  {w.Word}");
        return 0;
    }

    /// <summary>A gallery id when the argument is a known number, else an image file kept as a search reference.</summary>
    private static async Task<SearchQuery> ImageQueryAsync(CommandContext c)
    {
        string target = c.Cli.RequirePositional(0, "an image id or an image file");
        if (int.TryParse(target, out int id) && !File.Exists(target))
        {
            c.Engine.RequireImage(id);
            return new SearchQuery { ImageIds = [id] };
        }
        if (!File.Exists(target)) throw new DeviseException($"No such file or image id: {target}");
        await using var stream = File.OpenRead(target);
        return new SearchQuery { ReferenceHashes = [await c.Engine.StoreReferenceAsync(stream, target, c.CancellationToken)] };
    }

    private static int? ModelOption(CommandContext c) => c.Cli.Get("--model") is null ? null : c.Cli.GetInt("--model", 0);

    private static void WriteHits(CommandContext c, SearchResult result)
    {
        if (c.Json) { WriteJson(c, result.Hits.Select(h => new { h.Image.Id, h.Image.Label, Path = c.Engine.GetOriginalPath(h.Image.Id), h.Image.FileName, h.Score, Split = h.Image.Split.ToString() })); return; }
        c.Output.WriteLine($"{"score",7}  {"id",5}  {"label",-24} file");
        foreach (var h in result.Hits)
            c.Output.WriteLine($"{h.Score,7:0.000}  {h.Image.Id,5}  {Truncate(h.Image.Label, 24),-24} {h.Image.FileName}");
        c.Output.WriteLine($"(model version {result.ModelId})");
    }

    private static int Eval(CommandContext c)
    {
        var report = c.Engine.Evaluate(ModelOption(c));
        if (c.Json) { WriteJson(c, report); return 0; }
        var model = c.Engine.GetModel(ModelOption(c) ?? c.Engine.ActiveModel!.Record.Id)!;
        c.Output.WriteLine($"Model version {model.Id} ({model.Architecture}), held out: {string.Join(", ", model.HeldOutLabels)}");
        WriteReport(c, report);
        return 0;
    }

    private static void WriteReport(CommandContext c, EvaluationReport r)
    {
        c.Output.WriteLine($"{"metric",-34} {"value",8} {"chance",8} {"best",8} {"n",6}");
        void Row(string name, Metric? m)
        {
            if (m is not null) c.Output.WriteLine($"{name,-34} {m.Value,8:P1} {m.Chance,8:P1} {m.Best,8:P1} {m.Count,6}");
        }
        if (r.ValidationLoss is { } loss) c.Output.WriteLine($"{"validation loss (1 - cosine)",-34} {loss,8:0.000}");
        Row("zero-shot hit@1 (held-out labels)", r.ZeroShotHit1);
        Row("zero-shot hit@5 (held-out labels)", r.ZeroShotHit5);
        Row("validation hit@1 (seen labels)", r.ValidationHit1);
        Row("validation hit@5 (seen labels)", r.ValidationHit5);
        Row("precision@9, seen labels", r.SeenPrecisionAt9);
        Row("precision@9, held-out labels", r.HeldOutPrecisionAt9);
        c.Output.WriteLine($"({r.ImageCount} images, {r.LabelCount} labels as candidates)");
    }

    private static int Status(CommandContext c)
    {
        var s = c.Engine.GetStatus();
        if (c.Json) { WriteJson(c, s); return 0; }
        c.Output.WriteLine($"data directory  {s.DataDirectory}");
        c.Output.WriteLine($"images          {s.ImageCount} in {s.LabelCount} labels");
        c.Output.WriteLine($"model versions  {s.ModelCount}, active: {(s.ActiveModelId is { } id ? id.ToString() : "none (train one)")}");
        c.Output.WriteLine($"search index    {s.IndexedCount} vectors on {s.Device}");
        c.Output.WriteLine($"backbone        {s.Backbone}; text vectors {s.TextEncoder}");
        return 0;
    }

    private static int Models(CommandContext c)
    {
        var models = c.Engine.ListModels();
        if (c.Json) { WriteJson(c, models); return 0; }
        c.Output.WriteLine($"{"id",4} {"created (UTC)",-17} {"epochs",6} {"val loss",8} {"ZS hit@5",8} {"P@9 seen",8} {"P@9 held",8}");
        foreach (var m in models)
        {
            var e = m.Evaluation;
            c.Output.WriteLine($"{m.Id,4} {m.CreatedUtc,-17:yyyy-MM-dd HH:mm} {m.Options.Epochs,6} {e?.ValidationLoss,8:0.000} {e?.ZeroShotHit5?.Value,8:P1} {e?.SeenPrecisionAt9?.Value,8:P1} {e?.HeldOutPrecisionAt9?.Value,8:P1}{(m.IsActive ? "  active" : "")}");
        }
        return 0;
    }

    private static async Task<int> ActivateAsync(CommandContext c)
    {
        int id = int.TryParse(c.Cli.RequirePositional(0, "a model version id"), out var n) ? n : throw new CliUsageException("activate expects a model version id.");
        await c.Engine.ActivateModelAsync(id, c.CancellationToken);
        c.Output.WriteLine($"Model version {id} is active; {c.Engine.GetStatus().IndexedCount} images indexed.");
        return 0;
    }

    private static string Truncate(string s, int length) => s.Length <= length ? s : s[..(length - 1)] + "…";
}
