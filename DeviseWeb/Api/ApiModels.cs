using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Api;

/// <summary>Answer to POST /api/images: one result per file, in the order sent.</summary>
public sealed record UploadResponse(IReadOnlyList<ImportFileResult> Files, int Added, int Duplicates, int Rejected);

/// <summary>Answer to POST /api/search/image: the stored reference photo's hash, the results, and a share link that reproduces them.</summary>
public sealed record ImageSearchResponse(string Reference, int ModelId, IReadOnlyList<SearchHit> Hits, string Link);

/// <summary>Answer to GET /api/search: the results and the share link (with the model version that produced them).</summary>
public sealed record SearchResponse(int ModelId, IReadOnlyList<SearchHit> Hits, string Link);

/// <summary>Answer to GET /api/training: the running (else latest) job and every job since the app started.</summary>
public sealed record TrainingOverview(TrainingJobSnapshot? Current, bool IsRunning, IReadOnlyList<TrainingJobSnapshot> Jobs);

/// <summary>Answer to POST /api/models/{id}/activate.</summary>
public sealed record ActivationResponse(int ModelId, string Status);
