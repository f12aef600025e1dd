using DeviseWeb.Cli;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Bench;

/// <summary>
/// How the photo ranking's weight was set: photo → photo precision@5 and duplicate hit@1 on a store's evaluation set
/// under its active version, for backbone-feature weights from 0 (the embedding alone) to 1 (the backbone alone),
/// with the features centred on the gallery's mean and raw. A quality sweep, not a speed figure: <c>--only blend --data DIR</c>.
/// </summary>
public static class PhotoBlendBench
{
    private static readonly float[] Weights = [0f, 0.25f, 0.4f, 0.5f, 0.6f, 0.75f, 1f];

    public static async Task RunAsync(CliArguments cli, BenchReport report, CancellationToken cancellationToken)
    {
        using var active = await ActiveEvaluationSet.OpenAsync(cli, cancellationToken);
        var (model, set, setLabels, embeddings) = (active.Model, active.Set, active.SetLabels, active.Embeddings);
        var evaluation = active.Get<EvaluationService>();
        var queries = EvaluationService.PhotoQueries(setLabels);
        report.Note($"version {model.Id}: {set.Count} evaluation images, {queries.Count} photo queries; making and embedding {DuplicateProbe.CopiesPerImage} copies each");
        var probe = active.Get<DuplicateProbe>();
        var gallery = active.Get<Engine.Gallery.GalleryService>();
        var features = active.Get<Engine.Features.FeatureStore>();
        string Describe(int id) => gallery.Find(id) is { } image ? $"{id} {image.Label}/{image.FileName}" : $"{id}";
        var copies = probe.CopyFeatures(set, _ => { }, cancellationToken);
        foreach (bool centre in new[] { true, false })
            foreach (float weight in Weights)
            {
                var photos = evaluation.PhotoToPhoto(set, setLabels, embeddings, queries, _ => { }, cancellationToken, weight, centre);
                var misses = new List<string>();
                var duplicates = probe.Score(model, copies, weight, centre, cancellationToken,
                    (id, copy, first) => misses.Add($"{Describe(id)} copy {copy + 1} found {(first is { } f ? $"{Describe(f)}, backbone cosine to the original {Engine.VectorMath.Cosine(features.Get(id), features.Get(f)):0.000}" : "nothing")}"));
                if (centre && weight == PhotoRanking.FeatureWeight)
                    foreach (var miss in misses) report.Note($"missed: {miss}");
                report.Figures("blend", new
                {
                    model_id = model.Id, centred = centre, feature_weight = weight,
                    photo_p5 = Math.Round(photos?.Value ?? double.NaN, 4), photo_chance = Math.Round(photos?.Chance ?? double.NaN, 4),
                    duplicate_hit1 = Math.Round(duplicates?.Value ?? double.NaN, 4), copies = duplicates?.Count,
                });
            }
    }
}
