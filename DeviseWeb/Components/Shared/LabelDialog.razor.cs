using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DeviseWeb.Components.Shared;

/// <summary>
/// Asks for a label (change the label of images, rename a label) and closes with the text as typed. It does not
/// check the text: the engine applies the one label rule and its message is shown if the label breaks it.
/// </summary>
public sealed partial class LabelDialog
{
    private string? _label;

    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = default!;

    /// <summary>The text the field starts with. Default empty.</summary>
    [Parameter] public string Label { get; set; } = "";

    /// <summary>The field's label. Default "New label".</summary>
    [Parameter] public string FieldLabel { get; set; } = "New label";

    /// <summary>A line above the field saying what will change. Default null: none.</summary>
    [Parameter] public string? Message { get; set; }

    /// <summary>The confirming button's text. Default "Save".</summary>
    [Parameter] public string SaveText { get; set; } = "Save";

    protected override void OnInitialized() => _label = Label;

    private void Save()
    {
        if (!string.IsNullOrWhiteSpace(_label)) Dialog.Close(DialogResult.Ok(_label));
    }

    private void Cancel() => Dialog.Cancel();
}
