using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Search;

/// <summary>A loaded model version with the gallery embedded under it. Replaced whole, never edited in place.</summary>
public sealed record ModelSnapshot(ModelRecord Record, DeviseHead Head, VectorIndex Index)
{
    private readonly HashSet<int> _train = [.. Record.TrainImageIds];
    private readonly HashSet<int> _validation = [.. Record.ValidationImageIds];
    private readonly HashSet<string> _heldOutLabels = new(Record.HeldOutLabels, StringComparer.Ordinal);

    public SplitKind SplitOf(int imageId, string label) =>
        _heldOutLabels.Contains(label) ? SplitKind.HeldOut
        : _train.Contains(imageId) ? SplitKind.Train
        : _validation.Contains(imageId) ? SplitKind.Validation
        : SplitKind.Unassigned;

    public bool IsHeldOut(string label) => _heldOutLabels.Contains(label);
}
