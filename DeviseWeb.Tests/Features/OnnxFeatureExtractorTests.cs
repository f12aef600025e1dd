using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;

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

    [Fact]
    public void Extract_CancelledToken_ThrowsAndTheNextExtractStillWorks()
    {
        using var image = _loader.Load(TestData.DemoImage("bear", "photo-bear.png"));
        var expected = _extractor.Extract(image);

        Assert.Throws<OperationCanceledException>(() => _extractor.Extract(image, new CancellationToken(canceled: true)));

        Assert.Equal(expected, _extractor.Extract(image));
    }

    [Fact]
    public void Constructor_PreprocessingModelCorrupt_DisposesTheBackboneSessionItOpened()
    {
        var options = new EngineOptions();
        string corrupt = Path.Combine(TestData.NewTemporaryDirectory("onnx"), "preprocess.onnx");
        File.WriteAllBytes(corrupt, "not an ONNX model"u8.ToArray());
        var opened = new List<WatchedSession>();

        Assert.ThrowsAny<OnnxRuntimeException>(() => new OnnxFeatureExtractor(options.BackboneModelPath, corrupt, options.BackboneInputSize, 1,
            (path, sessionOptions) => Watch(opened, path, sessionOptions)));

        Assert.Equal([options.BackboneModelPath], opened.Select(s => s.Path));
        Assert.All(opened, s => Assert.True(s.Disposed, $"{s.Path} left open"));
    }

    [Fact]
    public void Constructor_PreprocessingModelMissing_LeavesNoSessionOpen()
    {
        var options = new EngineOptions();
        var opened = new List<WatchedSession>();

        Assert.Throws<FileNotFoundException>(() => new OnnxFeatureExtractor(options.BackboneModelPath, "/nonexistent/preprocess.onnx",
            options.BackboneInputSize, 1, (path, sessionOptions) => Watch(opened, path, sessionOptions)));

        Assert.All(opened, s => Assert.True(s.Disposed, $"{s.Path} left open"));
    }

    [Fact]
    public void Dispose_AfterConstruction_DisposesBothSessions()
    {
        var options = new EngineOptions();
        var opened = new List<WatchedSession>();
        var extractor = new OnnxFeatureExtractor(options.BackboneModelPath, options.PreprocessModelPath, options.BackboneInputSize, 1,
            (path, sessionOptions) => Watch(opened, path, sessionOptions));

        extractor.Dispose();

        Assert.Equal(2, opened.Count);
        Assert.All(opened, s => Assert.True(s.Disposed, $"{s.Path} left open"));
    }

    private static WatchedSession Watch(List<WatchedSession> opened, string path, SessionOptions options)
    {
        var session = new WatchedSession(path, options);
        opened.Add(session);
        return session;
    }

    /// <summary>A real session that remembers being disposed.</summary>
    private sealed class WatchedSession(string path, SessionOptions options) : InferenceSession(path, options)
    {
        public string Path { get; } = path;
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    public void Dispose() => _extractor.Dispose();
}
