using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Shared;

/// <summary>Explains that searching needs a trained model and links to /training.</summary>
public sealed partial class NoModelNotice
{
    /// <summary>What needs the model. Default "Search, similar images and keywords need one."</summary>
    [Parameter] public string Text { get; set; } = "Search, similar images and keywords need one.";
}
