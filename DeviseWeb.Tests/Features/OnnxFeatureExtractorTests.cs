using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Features;

public sealed class OnnxFeatureExtractorTests : IDisposable
{
    private readonly OnnxFeatureExtractor _extractor;
    private readonly SafeImageLoader _loader = new(50L << 20, 40_000_000);

    public OnnxFeatureExtractorTests()
    {
        var options = new EngineOptions();
        _extractor = new OnnxFeatureExtractor(options.BackboneModelPath, options.PreprocessModelPath, options.BackboneInputSize, 0);
    }

    [Fact]
    public void Extract_SameImageTwice_GivesIdenticalFeatures()
    {
        using var image = _loader.Load(TestData.DemoImage("bear", "photo-bear.png"));

        var first = _extractor.Extract(image);
        var second = _extractor.Extract(image);

        Assert.Equal(512, first.Length);
        Assert.Equal(first, second);
        Assert.Contains(first, v => v > 0);
    }

    [Fact]
    public void Extract_DifferentImages_GivesDifferentFeatures()
    {
        using var bear = _loader.Load(TestData.DemoImage("bear", "photo-bear.png"));
        using var car = _loader.Load(TestData.DemoImage("car", Directory.GetFiles(Path.Combine(TestData.DemoDirectory, "car"), "stamp-*")
            .Select(Path.GetFileName).First()!));

        float similarity = VectorMath.Cosine(_extractor.Extract(bear), _extractor.Extract(car));

        Assert.InRange(similarity, -1f, 0.95f);
    }

    [Fact]
    public void Extract_SameAnimalInTwoEmojiStyles_IsCloserThanAnUnrelatedObject()
    {
        using var googleWhale = _loader.Load(TestData.DemoImage("whale", "emoji-google-1f433.png"));
        using var twitterWhale = _loader.Load(TestData.DemoImage("whale", "emoji-twitter-1f433.png"));
        using var twitterBook = _loader.Load(Directory.GetFiles(Path.Combine(TestData.DemoDirectory, "book"), "emoji-twitter-*").Order().First());

        var whale = _extractor.Extract(googleWhale);

        Assert.True(VectorMath.Cosine(whale, _extractor.Extract(twitterWhale)) > VectorMath.Cosine(whale, _extractor.Extract(twitterBook)));
    }

    public void Dispose() => _extractor.Dispose();
}
