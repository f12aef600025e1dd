using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Search;

namespace DeviseWeb.Api;

/// <summary>Answer to POST /api/images: one result per file, in the order sent.</summary>
public sealed record UploadResponse(IReadOnlyList<ImportFileResult> Files, int Added, int Duplicates, int Rejected);

/// <summary>Answer to POST /api/search/image: the stored reference photo's hash, the results, and a share link that reproduces them.</summary>
public sealed record ImageSearchResponse(string Reference, int ModelId, IReadOnlyList<SearchHit> Hits, string Link);

/// <summary>Answer to GET /api/search: the results and the share link (with the model version that produced them).</summary>
public sealed record SearchResponse(int ModelId, IReadOnlyList<SearchHit> Hits, string Link);

/// <summary>
/// One query of POST /api/search/batch, named as in a search link: phrases (q), gallery image ids (img),
/// reference photo hashes (ref), the number of results (k, default 24) and a score cutoff (min).
/// </summary>
public sealed record BatchQuery(IReadOnlyList<string>? Q, IReadOnlyList<int>? Img, IReadOnlyList<string>? Ref, int? K, float? Min);

/// <summary>Body of POST /api/search/batch: the queries, all answered by one model version (model; default the active one).</summary>
public sealed record BatchSearchRequest(IReadOnlyList<BatchQuery>? Queries, int? Model);

/// <summary>Answer to POST /api/search/batch: one result list per query, in the order sent.</summary>
public sealed record BatchSearchResponse(int ModelId, IReadOnlyList<SearchResponse> Results);

/// <summary>Answer to GET /api/training: the running (else latest) training job and the newest training jobs.</summary>
public sealed record TrainingOverview(JobInfo? Current, bool IsRunning, IReadOnlyList<JobInfo> Jobs);

/// <summary>Body of PATCH /api/images/{id}: the image's new label.</summary>
public sealed record LabelChange(string? Label);

/// <summary>Body of PATCH /api/images: images to give one new label.</summary>
public sealed record BulkLabelChange(IReadOnlyList<int>? Ids, string? Label);

/// <summary>Body of POST /api/images/delete: images to delete.</summary>
public sealed record ImageIds(IReadOnlyList<int>? Ids);

/// <summary>Body of POST /api/labels/rename: every image labelled From gets label To (merging into it when it exists).</summary>
public sealed record LabelRename(string? From, string? To);

/// <summary>Answer to POST /api/images/delete: the ids deleted, and those that named no image.</summary>
public sealed record DeleteResponse(IReadOnlyList<int> Deleted, IReadOnlyList<int> NotFound);

/// <summary>Answer to PATCH /api/images: the images as they are now.</summary>
public sealed record RelabelResponse(IReadOnlyList<ImageInfo> Images);

/// <summary>Answer to POST /api/labels/rename: the labels in their stored form and how many images moved.</summary>
public sealed record LabelRenameResponse(string From, string To, int Moved);
