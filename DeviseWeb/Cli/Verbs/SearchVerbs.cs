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
        CliOutput.Keywords(c, words);
        return 0;
    }

    /// <summary>A gallery id when the argument is a number and no such file exists, else an image file kept as a search reference.</summary>
    private static async Task<SearchQuery> ImageQueryAsync(CommandContext c)
    {
        string target = c.Cli.RequirePositional(0, "an image id or an image file");
        if (int.TryParse(target, out int id) && !File.Exists(target))
        {
            c.Get<GalleryService>().Get(id);
            return new SearchQuery { ImageIds = [id], ExcludeQueryImages = true }; // as on the image page and in the API
        }
        if (!File.Exists(target)) throw new NotFoundException($"No such file or image id: {target}");
        await using var stream = File.OpenRead(target);
        return new SearchQuery { ReferenceHashes = [await c.Get<ReferencePhotos>().StoreAsync(stream, target, c.CancellationToken)] };
    }

    private static void WriteHits(CommandContext c, SearchResult result)
    {
        var gallery = c.Get<GalleryService>();
        CliOutput.Hits(c, result, gallery.OriginalPath);
    }
}
