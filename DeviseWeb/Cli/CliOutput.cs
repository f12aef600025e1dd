using DeviseWeb.Engine;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Cli;

/// <summary>
/// What each verb prints, in one place: a verb run on the store and the same verb run through a server's API
/// (<c>--server</c>) hand these the same records, so their output is the same.
/// </summary>
public static class CliOutput
{
    /// <param name="fileOf">Where an image's original is: a path on this machine, or its address on the server.</param>
    public static void Hits(CommandContext c, SearchResult result, Func<int, string> fileOf)
    {
        if (c.Json)
        {
            c.WriteJson(result.Hits.Select(h => new
            {
                h.Image.Id, h.Image.Label, Path = fileOf(h.Image.Id), h.Image.FileName, h.Score, Split = h.Image.Split.ToString(),
            }));
            return;
        }
        c.Output.WriteLine($"{"score",7}  {"id",5}  {"label",-24} file");
        foreach (var h in result.Hits)
            c.Output.WriteLine($"{h.Score,7:0.000}  {h.Image.Id,5}  {Truncate(h.Image.Label, 24),-24} {h.Image.FileName}");
        c.Output.WriteLine($"(model version {result.ModelId})");
    }

    public static void Keywords(CommandContext c, IReadOnlyList<KeywordHit> words)
    {
        if (c.Json) { c.WriteJson(words); return; }
        foreach (var w in words) c.Output.WriteLine($"{w.Score,7:0.000}  {w.Word}");
    }

    public static void ImportSummary(CommandContext c, ImportSummary summary, int galleryCount, bool searchable)
    {
        if (c.Json) { c.WriteJson(summary); return; }
        c.Output.WriteLine($"Imported {summary.Added} images ({summary.Duplicates} duplicates skipped, {summary.Rejected} rejected) in {summary.Elapsed.TotalSeconds:0.0} s.");
        foreach (var r in summary.Rejections) c.Output.WriteLine($"  rejected {r.FileName}: {r.Reason}");
        c.Output.WriteLine($"The gallery now holds {galleryCount} images; new ones are searchable {(searchable ? "now" : "after training")}.");
    }

    /// <summary>One file's outcome; a rejected file is an error (exit 1) naming the reason.</summary>
    public static void ImportedFile(CommandContext c, string name, ImportSummary summary, ImageInfo? image)
    {
        if (summary.Rejected > 0) throw new Engine.Imaging.ImageRejectedException(name, summary.Rejections.FirstOrDefault()?.Reason ?? "rejected");
        var outcome = summary.Added > 0 ? ImportOutcome.Added : ImportOutcome.Duplicate;
        if (c.Json) { c.WriteJson(new ImportFileResult(name, outcome, image, outcome == ImportOutcome.Duplicate ? "already in the gallery" : null)); return; }
        c.Output.WriteLine(outcome == ImportOutcome.Added
            ? $"added #{image?.Id} {name} as '{image?.Label}'"
            : $"skipped {name}: already in the gallery as #{image?.Id}");
    }

    public static void Deleted(CommandContext c, IReadOnlyList<int> deleted, int galleryCount)
    {
        if (c.Json) { c.WriteJson(new { deleted }); return; }
        c.Output.WriteLine($"Deleted {Images(deleted.Count)}: {string.Join(", ", deleted.Select(id => $"#{id}"))}. The gallery now holds {galleryCount} images.");
    }

    public static void Relabelled(CommandContext c, IReadOnlyList<ImageInfo> changed, string label)
    {
        if (c.Json) { c.WriteJson(changed); return; }
        c.Output.WriteLine($"Relabelled {Images(changed.Count)} as '{changed.FirstOrDefault()?.Label ?? label}': {string.Join(", ", changed.Select(i => $"#{i.Id}"))}.");
    }

    public static void Renamed(CommandContext c, string from, string to, int moved)
    {
        string source = LabelText.Normalize(from), target = LabelText.Normalize(to);
        if (c.Json) { c.WriteJson(new { from = source, to = target, moved }); return; }
        c.Output.WriteLine($"Moved {Images(moved)} from '{source}' to '{target}'.");
    }

    public static void Status(CommandContext c, EngineStatus s)
    {
        if (c.Json) { c.WriteJson(s); return; }
        c.Output.WriteLine($"data directory  {s.DataDirectory}");
        c.Output.WriteLine($"images          {s.ImageCount} in {s.LabelCount} labels");
        c.Output.WriteLine($"model versions  {s.ModelCount}, active: {(s.ActiveModelId is { } id ? id.ToString() : "none (train one)")}");
        c.Output.WriteLine($"search index    {s.IndexedCount} vectors on {s.Device}");
        c.Output.WriteLine($"backbone        {s.Backbone}; text vectors {s.TextEncoder}");
    }

    public static void Trained(CommandContext c, ModelVersionInfo model)
    {
        if (c.Json) { c.WriteJson(model); return; }
        c.Output.WriteLine($"Model version {model.Id}: {model.Architecture}, {model.TrainCount} train / {model.ValidationCount} validation / {model.HeldOutCount} held-out images, {model.DurationSeconds:0.0} s{(model.IsActive ? ", active" : "")}.");
        c.Output.WriteLine($"Held-out labels: {string.Join(", ", model.HeldOutLabels)}");
        if (model.Evaluation is { } report) Report(c, report);
    }

    public static void Evaluated(CommandContext c, ModelVersionInfo model, EvaluationReport report)
    {
        if (c.Json) { c.WriteJson(report); return; }
        c.Output.WriteLine($"Model version {model.Id} ({model.Architecture}), held out: {string.Join(", ", model.HeldOutLabels)}");
        Report(c, report);
    }

    public static void Models(CommandContext c, IReadOnlyList<ModelVersionInfo> models)
    {
        if (c.Json) { c.WriteJson(models); return; }
        c.Output.WriteLine($"{"id",4} {"created (UTC)",-17} {"epochs",6} {"val loss",8} {"ZS hit@5",8} {"P@9 seen",8} {"P@9 held",8} {"eval P@5",9}");
        foreach (var m in models)
        {
            var e = m.Evaluation;
            c.Output.WriteLine($"{m.Id,4} {m.CreatedUtc,-17:yyyy-MM-dd HH:mm} {m.Options.Epochs,6} {e?.ValidationLoss,8:0.000} {e?.ZeroShotHit5?.Value,8:P1} {e?.SeenPrecisionAt9?.Value,8:P1} {e?.HeldOutPrecisionAt9?.Value,8:P1} {e?.PhotoExactPrecisionAt5?.Value,9:P1}{(m.IsActive ? "  active" : "")}");
        }
    }

    public static void Activated(CommandContext c, ModelVersionInfo model, int indexed)
    {
        if (c.Json) { c.WriteJson(model); return; }
        c.Output.WriteLine($"Model version {model.Id} is active; {indexed} images indexed.");
    }

    public static void Jobs(CommandContext c, IReadOnlyList<JobInfo> jobs)
    {
        if (c.Json) { c.WriteJson(jobs); return; }
        if (jobs.Count == 0) { c.Output.WriteLine("No jobs yet."); return; }
        c.Output.WriteLine($"{"id",-12}  {"kind",-10}  {"state",-11}  {"created (UTC)",-16}  {"duration",9}  description");
        foreach (var job in jobs)
        {
            c.Output.WriteLine($"{job.Id,-12}  {job.Kind,-10}  {job.State,-11}  {job.CreatedUtc,-16:yyyy-MM-dd HH:mm}  {Duration(job),9}  {job.Description}");
            if (job.Error is { } error) c.Output.WriteLine($"{"",12}  {error}");
        }
    }

    private static void Report(CommandContext c, EvaluationReport r)
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
        Row("evaluation set P@5, label names", r.PhotoExactPrecisionAt5);
        Row("evaluation set P@5, broader words", r.PhotoBroaderPrecisionAt5);
        Row("evaluation set P@5, everyday words", r.EverydayPrecisionAt5);
        Row("evaluation set photo -> photo P@5", r.PhotoToPhotoPrecisionAt5);
        Row("copies of evaluation images first", r.DuplicateHit1);
        c.Output.WriteLine($"({r.ImageCount} images, {r.LabelCount} labels as candidates{(r.PhotoImageCount > 0 ? $"; evaluation set: {r.PhotoImageCount} evaluation-only images, never trained on" : "")})");
    }

    /// <summary>How long a job ran (or has run so far); blank for one that never started.</summary>
    private static string Duration(JobInfo job)
    {
        if (job.StartedUtc is not { } started) return "";
        var seconds = ((job.EndedUtc ?? DateTime.UtcNow) - started).TotalSeconds;
        return seconds < 60 ? $"{seconds:0.0} s" : seconds < 3600 ? $"{seconds / 60:0.0} min" : $"{seconds / 3600:0.0} h";
    }

    private static string Images(int count) => count == 1 ? "1 image" : $"{count} images";

    private static string Truncate(string s, int length) => s.Length <= length ? s : s[..(length - 1)] + "…";
}
