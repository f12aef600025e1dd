using System.Diagnostics.Metrics;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;

namespace DeviseWeb.Engine;

/// <summary>
/// The engine's instruments, on the meter <see cref="MeterName"/> (System.Diagnostics.Metrics; a host exports them,
/// the web app as Prometheus text at /metrics): how long jobs ran, by kind and end state; the gallery's size; the
/// vectors the searches scan and the bytes they take. The gauges are read when scraped, from counts kept anyway.
/// </summary>
public sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "DeviseWeb.Engine";

    private readonly Meter _meter = new(MeterName);
    private readonly Histogram<double> _jobDurations;
    private readonly IDisposable _subscription;

    public EngineMetrics(JobQueue jobs, ImageRepository images, ModelService models, FeatureStore features)
    {
        _jobDurations = _meter.CreateHistogram<double>("devise.job.duration", "s", "How long jobs ran, from start to end, by kind and end state.");
        _meter.CreateObservableGauge("devise.gallery.images", () => images.LabelCounts().Sum(l => (long)l.Count), "{image}", "Images in the gallery.");
        _meter.CreateObservableGauge("devise.index.vectors", () => new[]
        {
            new Measurement<long>(models.IndexedCount, new KeyValuePair<string, object?>("column", "embeddings")),
            new Measurement<long>(features.Count, new KeyValuePair<string, object?>("column", "features")),
        }, "{vector}", "Vectors a search scans: the active version's embeddings, and the backbone features photo queries scan.");
        _meter.CreateObservableGauge("devise.index.memory", () => new[]
        {
            new Measurement<long>(models.IndexedBytes, new KeyValuePair<string, object?>("column", "embeddings")),
            new Measurement<long>(features.VectorBytes, new KeyValuePair<string, object?>("column", "features")),
        }, "By", "Bytes of those vectors: fp32 rows (memory-mapped once sealed), with the int8 copy the embedding scan reads.");
        _subscription = jobs.Subscribe(Record);
    }

    private void Record(JobEvent e)
    {
        if (e.Job is { StartedUtc: { } started, EndedUtc: { } ended } job && e.Type is JobEventType.Finished or JobEventType.Failed
            or JobEventType.Cancelled or JobEventType.Interrupted)
            _jobDurations.Record((ended - started).TotalSeconds, new KeyValuePair<string, object?>("kind", job.Kind.ToString()),
                new KeyValuePair<string, object?>("state", job.State.ToString()));
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _meter.Dispose();
    }
}
