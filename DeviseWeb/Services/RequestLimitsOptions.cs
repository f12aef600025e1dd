using DeviseWeb.Engine;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Services;

/// <summary>
/// What one request may ask of the web host: body sizes per kind of endpoint, the shape of a multipart body, how
/// many uploads and image queries run at once, and how long shutdown waits. Bound from configuration section
/// "Devise:Limits"; the per-file size is the engine's (<c>Devise:MaxFileBytes</c>).
/// </summary>
public sealed class RequestLimitsOptions
{
    public const string SectionName = "Devise:Limits";

    /// <summary>Files one upload request may carry (POST /api/images). Default 20.</summary>
    public int MaxFilesPerRequest { get; set; } = 20;

    /// <summary>Body of a JSON endpoint (label changes, deletes, training options). Default 64 KB.</summary>
    public long MaxJsonBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Body of POST /api/search/batch, which may hold up to 1,000 queries. Default 1 MB.</summary>
    public long MaxBatchBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Body of anything else (the hubs' long-polling posts among them). Default 2 MB.</summary>
    public long MaxOtherBodyBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Text fields (not files) in one multipart body. Default 32.</summary>
    public int MaxFormFields { get; set; } = 32;

    /// <summary>Length of one multipart text field. Default 16 KB.</summary>
    public int MaxFormFieldBytes { get; set; } = 16 * 1024;

    /// <summary>Length of one multipart section's headers. Default 16 KB.</summary>
    public int MaxMultipartHeadersBytes { get; set; } = 16 * 1024;

    /// <summary>Upload requests imported at once; each decodes and embeds its files one by one. Default 2.</summary>
    public int UploadConcurrency { get; set; } = 2;

    /// <summary>Upload requests that wait for a turn before the next gets 429. Default 4.</summary>
    public int UploadQueue { get; set; } = 4;

    /// <summary>
    /// Image queries (POST /api/search/image) served at once. Default half the cores, at least 1: each runs the
    /// backbone and scans the features, and more of them at once took the cores word searches need. Measured with
    /// scripts/load.sh on 2 cores (100k gallery, 12 word + 4 photo clients, training and uploads): 4 at once gave word
    /// search 56.6/s, p95 420 ms; 1 gave 106/s, p95 190 ms (photo queries 4.2/s → 2.5/s).
    /// </summary>
    public int ImageQueryConcurrency { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Image queries that wait for a turn before the next gets 429. Default 8.</summary>
    public int ImageQueryQueue { get; set; } = 8;

    /// <summary>Searches (GET /api/search, image and batch queries) one client may make per minute. Default 600.</summary>
    public int SearchesPerMinute { get; set; } = 600;

    /// <summary>Training starts, cancellations and activations one client may ask for per minute. Default 20.</summary>
    public int TrainingRequestsPerMinute { get; set; } = 20;

    /// <summary>Upload requests one client may make per minute (each up to MaxFilesPerRequest files). Default 120.</summary>
    public int UploadsPerMinute { get; set; } = 120;

    /// <summary>Failed sign-ins allowed per minute for one user name. Default 10.</summary>
    public int FailedSignInsPerMinute { get; set; } = 10;

    /// <summary>Failed sign-ins allowed per minute from one client address, whatever the names. Default 50.</summary>
    public int FailedSignInsPerAddressPerMinute { get; set; } = 50;

    /// <summary>Seconds a client told 429 is asked to wait (Retry-After). Default 2.</summary>
    public int RetryAfterSeconds { get; set; } = 2;

    /// <summary>How long shutdown waits for requests and jobs in flight before it stops them. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After the shutdown timeout, how much longer the host waits for gallery writes already cancelled to end
    /// before it closes the database under them. Default 10 s.
    /// </summary>
    public TimeSpan WriteDrainGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Body of an upload request: every file at the per-file limit, plus room for headers and fields.</summary>
    public long MaxUploadBodyBytes(long maxFileBytes) => maxFileBytes * MaxFilesPerRequest + MultipartOverheadBytes;

    /// <summary>Body of an image query: one file plus room for headers and fields.</summary>
    public long MaxImageQueryBodyBytes(long maxFileBytes) => maxFileBytes + MultipartOverheadBytes;

    private long MultipartOverheadBytes => (long)(MaxFormFields + MaxFilesPerRequest) * (MaxFormFieldBytes + MaxMultipartHeadersBytes);
}

/// <summary>The allowed range of each <see cref="RequestLimitsOptions"/> setting, checked when the app starts.</summary>
internal sealed class RequestLimitsOptionsValidation : IValidateOptions<RequestLimitsOptions>
{
    private const long Gigabyte = 1L << 30;
    private const int Megabyte16 = 16 << 20;

    public ValidateOptionsResult Validate(string? name, RequestLimitsOptions options)
    {
        var check = new SettingChecks(RequestLimitsOptions.SectionName);
        check.Range(nameof(options.MaxFilesPerRequest), options.MaxFilesPerRequest, 1, 1000);
        check.Range(nameof(options.MaxJsonBodyBytes), options.MaxJsonBodyBytes, 1, Gigabyte);
        check.Range(nameof(options.MaxBatchBodyBytes), options.MaxBatchBodyBytes, 1, Gigabyte);
        check.Range(nameof(options.MaxOtherBodyBytes), options.MaxOtherBodyBytes, 1, Gigabyte);
        check.Range(nameof(options.MaxFormFields), options.MaxFormFields, 1, 10_000);
        check.Range(nameof(options.MaxFormFieldBytes), options.MaxFormFieldBytes, 1, Megabyte16);
        check.Range(nameof(options.MaxMultipartHeadersBytes), options.MaxMultipartHeadersBytes, 1, Megabyte16);
        check.Range(nameof(options.UploadConcurrency), options.UploadConcurrency, 1, 1000);
        check.Range(nameof(options.UploadQueue), options.UploadQueue, 0, 10_000);
        check.Range(nameof(options.ImageQueryConcurrency), options.ImageQueryConcurrency, 1, 1000);
        check.Range(nameof(options.ImageQueryQueue), options.ImageQueryQueue, 0, 10_000);
        check.Range(nameof(options.SearchesPerMinute), options.SearchesPerMinute, 1, 100_000_000);
        check.Range(nameof(options.TrainingRequestsPerMinute), options.TrainingRequestsPerMinute, 1, 100_000_000);
        check.Range(nameof(options.UploadsPerMinute), options.UploadsPerMinute, 1, 100_000_000);
        check.Range(nameof(options.FailedSignInsPerMinute), options.FailedSignInsPerMinute, 1, 100_000);
        check.Range(nameof(options.FailedSignInsPerAddressPerMinute), options.FailedSignInsPerAddressPerMinute, 1, 100_000);
        check.Range(nameof(options.RetryAfterSeconds), options.RetryAfterSeconds, 1, 3600);
        check.Range(nameof(options.ShutdownTimeout), options.ShutdownTimeout, TimeSpan.Zero, TimeSpan.FromHours(1));
        check.Range(nameof(options.WriteDrainGrace), options.WriteDrainGrace, TimeSpan.Zero, TimeSpan.FromHours(1));
        return check.Result;
    }
}
