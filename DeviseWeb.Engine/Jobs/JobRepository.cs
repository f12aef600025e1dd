using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Training;
using LiteDB;
using JsonSerializer = System.Text.Json.JsonSerializer;

namespace DeviseWeb.Engine.Jobs;

/// <summary>
/// A job as stored: plain fields, with its request, progress and result as JSON (records round-trip there exactly).
/// Records outlive releases: one may name a kind, an option or a value this release no longer has, and still reads.
/// </summary>
public sealed class JobRecord
{
    public string Id { get; set; } = "";
    /// <summary>The <see cref="JobKind"/>'s name (as the store always kept it), so a kind since removed still reads, as <see cref="JobKind.Removed"/>.</summary>
    public string Kind { get; set; } = "";
    public JobState State { get; set; }
    public string Description { get; set; } = "";
    public string Request { get; set; } = "{}";
    public DateTime CreatedUtc { get; set; }
    /// <summary>CreatedUtc to the tick, the order of the history: LiteDB keeps dates to the millisecond, too coarse for jobs queued together.</summary>
    public long CreatedTicks { get; set; }
    public DateTime? StartedUtc { get; set; }
    public DateTime? EndedUtc { get; set; }
    public string? Progress { get; set; }
    public string? Training { get; set; }
    public List<EpochMetrics> Epochs { get; set; } = [];
    public List<string> Log { get; set; } = [];
    public string? Result { get; set; }
    public string? Error { get; set; }
}

/// <summary>Job records in the store, the newest <see cref="EngineOptions.JobHistoryLimit"/> kept.</summary>
public sealed class JobRepository(DeviseDatabase database, EngineOptions options)
{
    // Skips members this release no longer has, even where a request refuses them (TrainingOptions): an old job's
    // stored options still read, and a value that no longer reads at all leaves that part out rather than the job.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { SkipUnmappedMembers } },
    };

    private static void SkipUnmappedMembers(JsonTypeInfo info)
    {
        if (info.Kind == JsonTypeInfoKind.Object) info.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
    }

    private ILiteCollection<JobRecord> Jobs => database.Collection<JobRecord>("jobs");

    public void Save(JobInfo job) => database.Write(() => Jobs.Upsert(ToRecord(job)));

    public JobInfo? Find(string id) => Jobs.FindById(id) is { } record ? ToInfo(record) : null;

    /// <summary>The newest jobs first.</summary>
    public IReadOnlyList<JobInfo> Recent(int take) =>
        Jobs.Query().OrderByDescending(j => j.CreatedTicks).Limit(take).ToList().Select(ToInfo).ToList();

    /// <summary>Marks jobs left queued or running by a process that ended without finishing them; returns them.</summary>
    public IReadOnlyList<JobInfo> MarkInterrupted()
    {
        var stale = Jobs.Find(j => j.State == JobState.Queued || j.State == JobState.Running).ToList();
        if (stale.Count == 0) return [];
        var now = DateTime.UtcNow;
        foreach (var job in stale)
        {
            job.Error = job.State == JobState.Running ? "The app stopped while this job ran." : "The app stopped before this job ran.";
            job.State = JobState.Interrupted;
            job.EndedUtc = now;
        }
        database.Write(() => Jobs.Update(stale));
        return stale.Select(ToInfo).ToList();
    }

    /// <summary>Drops the oldest finished jobs beyond the history limit.</summary>
    public void Prune()
    {
        int count = Jobs.Count();
        if (count <= options.JobHistoryLimit) return;
        var old = Jobs.Query().Where(j => j.State != JobState.Queued && j.State != JobState.Running)
            .OrderBy(j => j.CreatedTicks).Select(j => j.Id).Limit(count - options.JobHistoryLimit).ToList();
        database.Write(() => { foreach (var id in old) Jobs.Delete(id); });
    }

    private static JobRecord ToRecord(JobInfo job) => new()
    {
        Id = job.Id, Kind = job.Kind.ToString(), State = job.State, Description = job.Description,
        Request = JsonSerializer.Serialize(job.Request, Json), CreatedUtc = job.CreatedUtc, CreatedTicks = job.CreatedUtc.Ticks, StartedUtc = job.StartedUtc,
        EndedUtc = job.EndedUtc, Progress = Serialize(job.Progress), Training = Serialize(job.Training),
        Epochs = [.. job.Epochs], Log = [.. job.Log], Result = Serialize(job.Result), Error = job.Error,
    };

    private static JobInfo ToInfo(JobRecord r)
    {
        var kind = !int.TryParse(r.Kind, out _) && Enum.TryParse<JobKind>(r.Kind, out var known) && Enum.IsDefined(known) ? known : JobKind.Removed;
        var request = Deserialize<JobRequest>(r.Request) is { } stored && stored.Kind == kind ? stored : new JobRequest { Kind = kind };
        return new JobInfo(r.Id, kind, r.State, r.Description, request,
            new DateTime(r.CreatedTicks, DateTimeKind.Utc), Utc(r.StartedUtc), Utc(r.EndedUtc),
            Deserialize<JobProgress>(r.Progress), Deserialize<TrainingProgress>(r.Training), r.Epochs, r.Log,
            Deserialize<JobResult>(r.Result), r.Error);
    }

    private static DateTime? Utc(DateTime? time) => time is { } t ? DateTime.SpecifyKind(t.ToUniversalTime(), DateTimeKind.Utc) : null;

    private static string? Serialize<T>(T? value) where T : class => value is null ? null : JsonSerializer.Serialize(value, Json);

    private static T? Deserialize<T>(string? json) where T : class
    {
        if (json is null) return null;
        try { return JsonSerializer.Deserialize<T>(json, Json); }
        catch (JsonException) { return null; } // a value this release no longer has (a removed job kind, say)
    }
}
