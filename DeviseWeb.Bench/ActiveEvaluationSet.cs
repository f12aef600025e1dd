using DeviseWeb.Cli;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;
using Microsoft.Extensions.Hosting;

namespace DeviseWeb.Bench;

/// <summary>
/// What the quality sweeps read: the store given with --data, its active version (held until disposed), and that
/// version's evaluation set as the eval job sees it, with its three text query sets.
/// </summary>
internal sealed class ActiveEvaluationSet : IDisposable
{
    private readonly IHost _host;
    private readonly ModelLease _lease;

    private ActiveEvaluationSet(IHost host)
    {
        _host = host;
        _lease = Get<ModelService>().Acquire();
        var images = Get<ImageRepository>();
        var record = Model.Record;
        var indexed = Model.Index.Ids().ToHashSet();
        LabelOf = images.IdsAndLabels().Where(i => indexed.Contains(i.Id)).ToDictionary(i => i.Id, i => i.Label);
        Split = new DatasetSplit(record.TrainImageIds, record.ValidationImageIds, record.HeldOutImageIds, record.HeldOutLabels);
        Set = EvaluationService.EvaluationSet(LabelOf, Split, images.EvaluationIds());
        SetLabels = Set.Select(id => LabelOf[id]).ToList();
        Embeddings = Set.Select(id => Model.Index.Get(id)!).ToList();
        TrainedLabels = record.TrainImageIds.Where(LabelOf.ContainsKey).Select(id => LabelOf[id]).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    public static async Task<ActiveEvaluationSet> OpenAsync(CliArguments cli, CancellationToken cancellationToken)
    {
        var host = CliHost.Build(cli);
        await CliHost.StartAsync(host, cancellationToken);
        return new ActiveEvaluationSet(host);
    }

    public LoadedModel Model => _lease.Model;
    public IReadOnlyDictionary<int, string> LabelOf { get; }
    public DatasetSplit Split { get; }
    /// <summary>The evaluation images, ascending, and their labels and stored embeddings row by row.</summary>
    public List<int> Set { get; }
    public List<string> SetLabels { get; }
    public List<float[]> Embeddings { get; }
    public List<string> TrainedLabels { get; }

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    /// <summary>The evaluation's text queries: label names, broader words, everyday words.</summary>
    public IReadOnlyList<(string Name, IReadOnlyList<TextQuery> Queries)> TextQuerySets()
    {
        var wordNet = Get<Lazy<WordNetHypernyms?>>().Value;
        var path = Get<EngineOptions>().EverydayWordsPath;
        return
        [
            ("names", TextQueries.LabelNames(SetLabels)),
            ("broader", wordNet is null ? [] : TextQueries.BroaderWords(SetLabels, l => wordNet.Of(l, TextQueries.BroaderDepth))),
            ("everyday", EverydayWords.Queries(File.Exists(path) ? EverydayWords.Read(path) : [], SetLabels)),
        ];
    }

    public void Dispose()
    {
        _lease.Dispose();
        _host.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _host.Dispose();
    }
}
