namespace DeviseWeb.Engine.Text;

/// <summary>Maps phrases to unit-length text vectors; the DeViSE head learns to predict them. Thread-safe.</summary>
public interface ITextEncoder
{
    int Dimension { get; }
    string Name { get; }
    float[][] Encode(IReadOnlyList<string> phrases, CancellationToken cancellationToken = default);
}
