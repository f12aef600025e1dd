using DeviseWeb.Engine.Text;

namespace DeviseWeb.Tests.Infrastructure;

/// <summary>The real MiniLM encoder, recording what reaches it: each phrase, and how many calls.</summary>
internal sealed class CountingEncoder : ITextEncoder
{
    private readonly MiniLmTextEncoder _real = new();
    public List<string> Encoded { get; } = [];
    public int Calls { get; private set; }
    public int Dimension => _real.Dimension;
    public string Name => _real.Name;

    public float[][] Encode(IReadOnlyList<string> phrases, CancellationToken cancellationToken = default)
    {
        lock (Encoded)
        {
            Calls++;
            Encoded.AddRange(phrases);
        }
        return _real.Encode(phrases, cancellationToken);
    }
}
