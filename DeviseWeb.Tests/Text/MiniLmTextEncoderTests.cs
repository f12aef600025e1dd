using DeviseWeb.Engine;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Tests.Text;

public sealed class MiniLmTextEncoderTests : IDisposable
{
    private readonly MiniLmTextEncoder _encoder = new();

    [Fact]
    public void Encode_Dog_IsNearerPuppyThanTruck()
    {
        var v = _encoder.Encode(["dog", "puppy", "truck"]);

        Assert.True(VectorMath.Cosine(v[0], v[1]) > VectorMath.Cosine(v[0], v[2]) + 0.1f);
    }

    [Fact]
    public void Encode_AnyPhrase_GivesUnitVectorsOf384()
    {
        var vectors = _encoder.Encode(["ice cream", "golden retriever", ""]);

        Assert.All(vectors, v =>
        {
            Assert.Equal(384, v.Length);
            Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 3);
        });
    }

    [Fact]
    public void Encode_MoreThanOneBatch_MatchesEncodingOneByOne()
    {
        var phrases = Enumerable.Range(0, 70).Select(i => $"object number {i}").ToArray();

        var batched = _encoder.Encode(phrases);
        var single = _encoder.Encode([phrases[67]]);

        Assert.Equal(70, batched.Length);
        Assert.True(VectorMath.Cosine(batched[67], single[0]) > 0.999f);
    }

    [Fact]
    public void Encode_CancelledWhileEncoding_ThrowsOperationCanceled()
    {
        var phrases = Enumerable.Range(0, 20_000).Select(i => $"a photograph of thing number {i}").ToList();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        // Whether it lands between batches or inside ONNX Runtime (its terminate flag), a cancelled job must read as cancelled.
        Assert.ThrowsAny<OperationCanceledException>(() => _encoder.Encode(phrases, cancel.Token));
    }

    public void Dispose() => _encoder.Dispose();
}
