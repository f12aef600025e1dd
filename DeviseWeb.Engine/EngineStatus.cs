namespace DeviseWeb.Engine;

public sealed record EngineStatus(
    string DataDirectory,
    int ImageCount,
    int LabelCount,
    int ModelCount,
    int? ActiveModelId,
    int IndexedCount,
    string Device,
    string Backbone,
    string TextEncoder,
    int? VocabularySize);
