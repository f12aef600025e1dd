using DeviseWeb.Engine.Text;

namespace DeviseWeb.Tests.Infrastructure;

/// <summary>
/// A real text encoder with a hook that runs at the start of every call, given the caller's token: a test can act
/// (cancel, wait at a gate) while a search or a vocabulary build is encoding its words.
/// </summary>
public sealed class HookedTextEncoder(ITextEncoder inner) : ITextEncoder, IDisposable
{
    /// <summary>Runs before each call is encoded. Default none.</summary>
    public Action<CancellationToken>? OnEncode { get; set; }

    public int Dimension => inner.Dimension;
    public string Name => inner.Name;

    public float[][] Encode(IReadOnlyList<string> phrases, CancellationToken cancellationToken = default)
    {
        OnEncode?.Invoke(cancellationToken);
        return inner.Encode(phrases, cancellationToken);
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
