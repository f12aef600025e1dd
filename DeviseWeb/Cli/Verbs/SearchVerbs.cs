using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Cli.Verbs;

/// <summary>search, similar, keywords.</summary>
public static class SearchVerbs
{
    public static async Task<int> SearchAsync(CommandContext c)
    {
        string text = string.Join(' ', c.Cli.Positional);
        if (text.Trim().Length == 0) throw new CliUsageException("'search' needs words to search for.");
        var result = await c.Get<SearchService>().SearchAsync(new SearchQuery
        {
            Texts = [text], K = c.Cli.GetInt("--k", 10), MinScore = (float)c.Cli.GetDouble("--min-score", -1), ModelId = ModelVerbs.ModelOption(c),
        }, c.CancellationToken);
        WriteHits(c, result);
        return 0;
    }

    public static async Task<int> SimilarAsync(CommandContext c)
    {
        var query = await ImageQueryAsync(c);
        WriteHits(c, await c.Get<SearchService>().SearchAsync(query with { K = c.Cli.GetInt("--k", 10), ModelId = ModelVerbs.ModelOption(c) }, c.CancellationToken));
        return 0;
    }

    public static async Task<int> KeywordsAsync(CommandContext c)
    {
        var query = await ImageQueryAsync(c);
        int k = c.Cli.GetInt("--k", 10);
        var keywords = c.Get<KeywordService>();
        if (keywords.Size is null)
            await CliJobs.RunAsync(c, new JobRequest { Kind = JobKind.Vocabulary }, "embedding the WordNet vocabulary (once; cached after)");
        var words = query.ImageIds.Count > 0
            ? await keywords.ForImageAsync(query.ImageIds[0], k, ModelVerbs.ModelOption(c), c.CancellationToken)
            : await keywords.ForReferenceAsync(query.ReferenceHashes[0], k, ModelVerbs.ModelOption(c), c.CancellationToken);
        if (c.Json) { c.WriteJson(words); return 0; }
        foreach (var w in words) c.Output.WriteLine($"{w.Score,7:0.000}  {w.Word}");
        return 0;
    }

    /// <summary>A gallery id when the argument is a number and no such file exists, else an image file kept as a search reference.</summary>
    private static async Task<SearchQuery> ImageQueryAsync(CommandContext c)
    {
        string target = c.Cli.RequirePositional(0, "an image id or an image file");
        if (int.TryParse(target, out int id) && !File.Exists(target))
        {
            c.Get<GalleryService>().Get(id);
            return new SearchQuery { ImageIds = [id] };
        }
        if (!File.Exists(target)) throw new NotFoundException($"No such file or image id: {target}");
        await using var stream = File.OpenRead(target);
        return new SearchQuery { ReferenceHashes = [await c.Get<ReferencePhotos>().StoreAsync(stream, target, c.CancellationToken)] };
    }

    private static void WriteHits(CommandContext c, SearchResult result)
    {
        if (c.Json)
        {
            var gallery = c.Get<GalleryService>();
            c.WriteJson(result.Hits.Select(h => new
            {
                h.Image.Id, h.Image.Label, Path = gallery.OriginalPath(h.Image.Id), h.Image.FileName, h.Score, Split = h.Image.Split.ToString(),
            }));
            return;
        }
        c.Output.WriteLine($"{"score",7}  {"id",5}  {"label",-24} file");
        foreach (var h in result.Hits)
            c.Output.WriteLine($"{h.Score,7:0.000}  {h.Image.Id,5}  {Truncate(h.Image.Label, 24),-24} {h.Image.FileName}");
        c.Output.WriteLine($"(model version {result.ModelId})");
    }

    private static string Truncate(string s, int length) => s.Length <= length ? s : s[..(length - 1)] + "…";
}
