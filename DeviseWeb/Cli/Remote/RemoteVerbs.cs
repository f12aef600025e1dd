using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using DeviseWeb.Api;
using DeviseWeb.Cli.Verbs;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Cli.Remote;

/// <summary>
/// The verbs that have an API counterpart, run through a running server (<c>--server</c>) instead of on the store:
/// the same arguments, the same output (<see cref="CliOutput"/>) and the same exit codes. Where a verb prints a file
/// path on the store, the remote one prints the original's address on the server.
/// </summary>
public static class RemoteVerbs
{
    /// <summary>Files sent per upload request: under the server's default limit (20), so one label's folder goes in a few requests.</summary>
    private const int UploadBatch = 16;

    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "import", "delete", "relabel", "rename-label", "status", "train", "eval", "models", "activate", "search", "similar", "keywords",
        "jobs", "backup", "users",
    };

    public static Task<int> RunAsync(CommandContext c, ServerClient server) => c.Cli.Verb switch
    {
        "search" => SearchAsync(c, server),
        "similar" => SimilarAsync(c, server),
        "keywords" => KeywordsAsync(c, server),
        "status" => Done(async () => CliOutput.Status(c, await server.GetAsync<EngineStatus>("api/status", c.CancellationToken))),
        "models" => Done(async () => CliOutput.Models(c, await server.GetAsync<List<ModelVersionInfo>>("api/models", c.CancellationToken))),
        "jobs" => JobsAsync(c, server),
        "delete" => DeleteAsync(c, server),
        "relabel" => RelabelAsync(c, server),
        "rename-label" => RenameLabelAsync(c, server),
        "import" => ImportAsync(c, server),
        "train" => TrainAsync(c, server),
        "eval" => EvalAsync(c, server),
        "activate" => ActivateAsync(c, server),
        "backup" => BackupAsync(c, server),
        "users" => UserVerbs.RemoteAsync(c, server),
        _ => throw new CliUsageException($"'{c.Cli.Verb}' works on the store itself and has no --server form: run it on the server, without --server."),
    };

    private static async Task<int> Done(Func<Task> body)
    {
        await body();
        return CliCommands.Done;
    }

    private static async Task<int> SearchAsync(CommandContext c, ServerClient server)
    {
        string text = string.Join(' ', c.Cli.Positional);
        if (text.Trim().Length == 0) throw new CliUsageException("'search' needs words to search for.");
        // The batch form takes the words as one phrase (the query string splits on commas).
        var query = new BatchQuery([text], null, null, c.Cli.GetInt("--k", 10), MinScore(c));
        var answer = await server.SendJsonAsync<BatchSearchResponse>(HttpMethod.Post, "api/search/batch",
            new BatchSearchRequest([query], ModelVerbs.ModelOption(c)), c.CancellationToken);
        CliOutput.Hits(c, new SearchResult(answer.Results[0].Hits, answer.Results[0].ModelId), server.FileOf);
        return CliCommands.Done;
    }

    private static float? MinScore(CommandContext c) => c.Cli.Has("--min-score") ? (float)c.Cli.GetDouble("--min-score", -1) : null;

    private static async Task<int> SimilarAsync(CommandContext c, ServerClient server)
    {
        int k = c.Cli.GetInt("--k", 10);
        int? model = ModelVerbs.ModelOption(c);
        SearchResult result;
        if (ImageId(c) is { } id)
        {
            var answer = await server.SendJsonAsync<BatchSearchResponse>(HttpMethod.Post, "api/search/batch",
                new BatchSearchRequest([new BatchQuery(null, [id], null, k, null)], model), c.CancellationToken);
            result = new SearchResult(answer.Results[0].Hits, answer.Results[0].ModelId);
        }
        else
        {
            var answer = await SearchByFileAsync(c, server, k, model);
            result = new SearchResult(answer.Hits, answer.ModelId);
        }
        CliOutput.Hits(c, result, server.FileOf);
        return CliCommands.Done;
    }

    private static async Task<int> KeywordsAsync(CommandContext c, ServerClient server)
    {
        int k = c.Cli.GetInt("--k", 10);
        int? model = ModelVerbs.ModelOption(c);
        string modelQuery = model is null ? "" : $"&model={model}";
        string path = ImageId(c) is { } id
            ? $"api/images/{id}/keywords?k={k}{modelQuery}"
            : $"api/references/{(await SearchByFileAsync(c, server, 1, model)).Reference}/keywords?k={k}{modelQuery}";
        CliOutput.Keywords(c, await server.GetAsync<List<KeywordHit>>(path, c.CancellationToken));
        return CliCommands.Done;
    }

    /// <summary>A gallery id when the argument is a number and no such file exists here (checked on the server: 404 names it).</summary>
    private static int? ImageId(CommandContext c)
    {
        string target = c.Cli.RequirePositional(0, "an image id or an image file");
        if (int.TryParse(target, out int id) && !File.Exists(target)) return id;
        if (!File.Exists(target)) throw new NotFoundException($"No such file or image id: {target}");
        return null;
    }

    /// <summary>Sends the file as a reference photo (kept on the server for search, not added to the gallery).</summary>
    private static async Task<ImageSearchResponse> SearchByFileAsync(CommandContext c, ServerClient server, int k, int? model)
    {
        string path = c.Cli.Positional[0];
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(await File.ReadAllBytesAsync(path, c.CancellationToken)), "file", Path.GetFileName(path));
        form.Add(new StringContent(k.ToString(System.Globalization.CultureInfo.InvariantCulture)), "k");
        if (model is not null) form.Add(new StringContent(model.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)), "model");
        return await server.PostFormAsync<ImageSearchResponse>("api/search/image", form, c.CancellationToken);
    }

    private static async Task<int> JobsAsync(CommandContext c, ServerClient server)
    {
        int take = c.Cli.GetInt("--take", 20);
        if (take < 1) throw new CliUsageException("--take expects a positive number.");
        CliOutput.Jobs(c, await server.GetAsync<List<JobInfo>>($"api/jobs?take={take}", c.CancellationToken));
        return CliCommands.Done;
    }

    private static async Task<int> DeleteAsync(CommandContext c, ServerClient server)
    {
        var ids = c.Cli.PositionalInts("image ids");
        await RequireAllAsync(c, server, ids);
        var answer = await server.SendJsonAsync<DeleteResponse>(HttpMethod.Post, "api/images/delete", new ImageIds(ids), c.CancellationToken);
        CliOutput.Deleted(c, answer.Deleted, await GalleryCountAsync(c, server));
        return CliCommands.Done;
    }

    private static async Task<int> RelabelAsync(CommandContext c, ServerClient server)
    {
        var ids = c.Cli.PositionalInts("image ids");
        string label = c.Cli.Get("--label") ?? throw new CliUsageException("'relabel' needs --label TEXT.");
        await RequireAllAsync(c, server, ids);
        var answer = await server.SendJsonAsync<RelabelResponse>(HttpMethod.Patch, "api/images", new BulkLabelChange(ids, label), c.CancellationToken);
        CliOutput.Relabelled(c, answer.Images, label);
        return CliCommands.Done;
    }

    private static async Task<int> RenameLabelAsync(CommandContext c, ServerClient server)
    {
        if (c.Cli.Positional.Count != 2) throw new CliUsageException("'rename-label' takes two labels, OLD and NEW (quote labels with spaces).");
        string from = c.Cli.Positional[0], to = c.Cli.Positional[1];
        var answer = await server.SendJsonAsync<LabelRenameResponse>(HttpMethod.Post, "api/labels/rename", new LabelRename(from, to), c.CancellationToken);
        CliOutput.Renamed(c, from, to, answer.Moved);
        return CliCommands.Done;
    }

    /// <summary>As on the store: a mistyped id refuses the whole command, so a list is never left half done.</summary>
    private static async Task RequireAllAsync(CommandContext c, ServerClient server, IReadOnlyList<int> ids)
    {
        var missing = new List<int>();
        foreach (int id in ids.Distinct())
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"api/images/{id}");
            using var answer = await server.SendRawAsync(request, c.CancellationToken);
            if (answer.StatusCode == HttpStatusCode.NotFound) missing.Add(id);
            else if (!answer.IsSuccessStatusCode) throw await server.ErrorOfAsync(answer, c.CancellationToken);
        }
        if (missing.Count == 1) throw new NotFoundException($"No image with id {missing[0]}.");
        if (missing.Count > 1) throw new NotFoundException($"No images with ids {string.Join(", ", missing)}.");
    }

    private static async Task<int> GalleryCountAsync(CommandContext c, ServerClient server) =>
        (await server.GetAsync<EngineStatus>("api/status", c.CancellationToken)).ImageCount;

    /// <summary>
    /// Uploads a folder-per-label dataset (or one file) in batches, a label at a time, with a progress bar; the
    /// server reports each file's outcome and the summary is the local verb's.
    /// </summary>
    private static async Task<int> ImportAsync(CommandContext c, ServerClient server)
    {
        string path = Path.GetFullPath(c.Cli.RequirePositional(0, "a folder (or an image file)"));
        string? label = c.Cli.Get("--label");
        bool evaluation = c.Cli.Has("--evaluation");
        bool isFile = File.Exists(path);
        if (!isFile && label is not null) throw new CliUsageException("--label applies to a single file; a folder's labels come from its subfolders.");
        if (!isFile && !Directory.Exists(path)) throw new NotFoundException($"No such folder or file: {path}");
        var files = isFile
            ? [new ImportFile(path, label ?? LabelText.FolderText(Path.GetFileName(Path.GetDirectoryName(path)) ?? LabelText.Unlabelled), Evaluation: evaluation)]
            : DatasetFolder.List(path, evaluation);

        var clock = Stopwatch.StartNew();
        var results = new List<ImportFileResult>(files.Count);
        using (var progress = new ConsoleProgress("import", c.Errors, c.Interactive))
        {
            foreach (var file in files.Where(f => f.Problem is not null))
                results.Add(new ImportFileResult(Path.GetFileName(file.Path), ImportOutcome.Rejected, null, file.Problem));
            foreach (var batch in files.Where(f => f.Problem is null).GroupBy(f => (f.Label, f.Evaluation)).SelectMany(g => g.Chunk(UploadBatch)))
            {
                results.AddRange(await UploadAsync(c, server, batch));
                foreach (var rejected in results.Skip(results.Count - batch.Length).Where(r => r.Outcome == ImportOutcome.Rejected))
                    progress.Report(Event(JobEventType.Progress, null, $"rejected {rejected.FileName}: {rejected.Reason}"));
                progress.Report(Event(JobEventType.Progress, new JobProgress(results.Count / (double)files.Count, results.Count, files.Count, batch[^1].Path), null));
            }
        }
        var rejections = results.Where(r => r.Outcome == ImportOutcome.Rejected).ToList();
        var summary = new ImportSummary(results.Count(r => r.Outcome == ImportOutcome.Added), results.Count(r => r.Outcome == ImportOutcome.Duplicate),
            rejections.Count, rejections.Take(ImportService.MaxListedRejections).ToList(), clock.Elapsed);
        if (isFile)
        {
            CliOutput.ImportedFile(c, Path.GetFileName(path), summary, results.Single().Image);
            return CliCommands.Done;
        }
        var status = await server.GetAsync<EngineStatus>("api/status", c.CancellationToken);
        CliOutput.ImportSummary(c, summary, status.ImageCount, searchable: status.ActiveModelId is not null);
        return CliCommands.Done;
    }

    private static JobEvent Event(JobEventType type, JobProgress? progress, string? message) =>
        new("upload", JobKind.Import, type, DateTime.UtcNow, progress, Message: message);

    /// <summary>One request of files sharing a label; a request whose every file was rejected answers 400 with each file's reason.</summary>
    private static async Task<IReadOnlyList<ImportFileResult>> UploadAsync(CommandContext c, ServerClient server, ImportFile[] batch)
    {
        using var form = new MultipartFormDataContent();
        foreach (var file in batch)
            form.Add(new ByteArrayContent(await File.ReadAllBytesAsync(file.Path, c.CancellationToken)), "files", Path.GetFileName(file.Path));
        form.Add(new StringContent(batch[0].Label), "label");
        if (batch[0].Evaluation) form.Add(new StringContent("true"), "evaluation");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/images") { Content = form };
        using var answer = await server.SendRawAsync(request, c.CancellationToken);
        if (answer.IsSuccessStatusCode)
            return (await answer.Content.ReadFromJsonAsync<UploadResponse>(CommandContext.JsonOptions, c.CancellationToken))!.Files;
        if (answer.StatusCode == HttpStatusCode.BadRequest
            && await answer.Content.ReadFromJsonAsync<RejectedUpload>(CommandContext.JsonOptions, c.CancellationToken) is { Files: { Count: > 0 } rejected })
            return rejected;
        throw await server.ErrorOfAsync(answer, c.CancellationToken);
    }

    /// <summary>The 400 an upload answers when every file was rejected: each file's reason under "files".</summary>
    private sealed record RejectedUpload(IReadOnlyList<ImportFileResult>? Files);

    private static async Task<int> TrainAsync(CommandContext c, ServerClient server)
    {
        var job = await RemoteJobs.RunAsync(c, server, "api/training", ModelVerbs.TrainingOptionsOf(c), "train");
        CliOutput.Trained(c, job.Result?.Model ?? throw new DeviseException("Training finished without a model version."));
        return CliCommands.Done;
    }

    private static async Task<int> EvalAsync(CommandContext c, ServerClient server)
    {
        int modelId = ModelVerbs.ModelOption(c)
            ?? (await server.GetAsync<EngineStatus>("api/status", c.CancellationToken)).ActiveModelId
            ?? throw new ConflictException("No trained model yet: train one first (CLI: train; web: the Training page).");
        var job = await RemoteJobs.RunAsync(c, server, $"api/models/{modelId}/evaluate", null, "eval");
        var report = job.Result?.Evaluation ?? throw new DeviseException("The evaluation finished without figures.");
        var model = job.Result.Model ?? await server.GetAsync<ModelVersionInfo>($"api/models/{modelId}", c.CancellationToken);
        CliOutput.Evaluated(c, model, report);
        return CliCommands.Done;
    }

    private static async Task<int> ActivateAsync(CommandContext c, ServerClient server)
    {
        int id = int.TryParse(c.Cli.RequirePositional(0, "a model version id"), out var n) ? n : throw new CliUsageException("'activate' expects a model version id.");
        var job = await RemoteJobs.RunAsync(c, server, $"api/models/{id}/activate", null, $"activate model version {id}");
        var model = job.Result?.Model ?? await server.GetAsync<ModelVersionInfo>($"api/models/{id}", c.CancellationToken);
        var status = await server.GetAsync<EngineStatus>("api/status", c.CancellationToken);
        CliOutput.Activated(c, model, status.IndexedCount);
        return CliCommands.Done;
    }

    /// <summary>A snapshot written on the server, into a folder on the server (Admins).</summary>
    private static async Task<int> BackupAsync(CommandContext c, ServerClient server)
    {
        string target = c.Cli.RequirePositional(0, "a new folder for the backup (on the server)");
        var summary = await server.SendJsonAsync<BackupSummary>(HttpMethod.Post, "api/admin/backup", new { directory = target }, c.CancellationToken);
        StoreVerbs.WriteBackup(c, summary, accounts: true);
        return CliCommands.Done;
    }
}
