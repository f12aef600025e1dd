using System.Globalization;
using DeviseWeb.Engine.Evaluation;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Pages.Training;

/// <summary>A measured figure as a percentage with its chance level beneath, or a dash when not measured.</summary>
public sealed partial class MetricCell
{
    /// <summary>The figure to show. Default null (shown as a dash).</summary>
    [Parameter] public Metric? Metric { get; set; }

    internal static string Percent(double value) =>
        value.ToString(value is > 0 and < 0.1 ? "0.0%" : "0%", CultureInfo.InvariantCulture);
}
