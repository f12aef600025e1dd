namespace DeviseWeb.Engine.Features;

/// <summary>How the image backbone runs (<see cref="EngineOptions.BackbonePrecision"/>).</summary>
public enum BackbonePrecision
{
    /// <summary>The packaged float model, as it is (the default).</summary>
    Float,

    /// <summary>
    /// An int8 model made from the float one at first use (Features/Quantization, docs/int8-backbone.md): about 2.7×
    /// the float model's speed on a CPU with VNNI, features a little different (mean cosine to the float ones 0.994).
    /// </summary>
    Int8,
}
