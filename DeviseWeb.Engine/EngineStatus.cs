namespace DeviseWeb.Engine;

public sealed record EngineStatus(
    string DataDirectory,
    int ImageCount,
    int LabelCount,
    int ModelCount,
    int? ActiveModelId,
    int IndexedCount,
    /// <summary>What searches the vectors: the torch device ("CPU", "CUDA"), or where PostgreSQL is for the pgvector index.</summary>
    string Device,
    string Backbone,
    string TextEncoder,
    int? VocabularySize);
