using System.Globalization;
using DeviseWeb.Engine.Gallery;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Shared;

/// <summary>
/// A thumbnail with its label and either a score or its split. It links to the image's page, or, while the
/// gallery selects, it is a checkbox (the whole card toggles it).
/// </summary>
public sealed partial class ImageCard
{
    /// <summary>The image shown. Required.</summary>
    [Parameter, EditorRequired] public ImageInfo Image { get; set; } = default!;

    /// <summary>Similarity to the query, shown as a number and a bar. Default null (no score: a gallery card).</summary>
    [Parameter] public float? Score { get; set; }

    /// <summary>Show the image's split when there is no score. Default true.</summary>
    [Parameter] public bool ShowSplit { get; set; } = true;

    /// <summary>The card's data-testid. Default "gallery-image" (search results use "result").</summary>
    [Parameter] public string TestId { get; set; } = "gallery-image";

    /// <summary>Render a checkbox card (labelled "Select &lt;label&gt; (image &lt;id&gt;)") instead of a link. Default false.</summary>
    [Parameter] public bool Selectable { get; set; }

    /// <summary>Whether the checkbox is ticked (with <see cref="Selectable"/>). Default false.</summary>
    [Parameter] public bool Selected { get; set; }

    /// <summary>Called with the new state when the checkbox is ticked or cleared. Default: none.</summary>
    [Parameter] public EventCallback<bool> SelectedChanged { get; set; }

    private Task OnCheckChangedAsync(ChangeEventArgs e) => SelectedChanged.InvokeAsync(e.Value is true);

    /// <summary>Bar width: cosine scores mostly fall in 0–1; below 0 shows empty.</summary>
    private static string ScoreBarStyle(float score) =>
        string.Create(CultureInfo.InvariantCulture, $"width:{Math.Clamp(score, 0f, 1f) * 100f:0.#}%");
}
