using DeviseWeb.Engine.Training;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Shared;

/// <summary>An image's role for the active model: trained on, validated on, held out (zero-shot), not yet split, or evaluation-only.</summary>
public sealed partial class SplitChip
{
    /// <summary>The split to show. Default <see cref="SplitKind.Train"/>.</summary>
    [Parameter] public SplitKind Split { get; set; } = SplitKind.Train;

    internal static string TextOf(SplitKind split) => split switch
    {
        SplitKind.Train => "Train",
        SplitKind.Validation => "Validation",
        SplitKind.HeldOut => "Held out",
        SplitKind.Evaluation => "Evaluation",
        _ => "Unassigned",
    };

    private string Text => TextOf(Split);

    private string Description => Split switch
    {
        SplitKind.Train => "The active model trained on this image",
        SplitKind.Validation => "Used to measure the active model, never trained on",
        SplitKind.HeldOut => "Its label was held out: the model never saw it (zero-shot)",
        SplitKind.Evaluation => "Evaluation-only: searchable, never trained on; the evaluation measures search on it",
        _ => "Added after the active model was trained, or no model yet",
    };
}
