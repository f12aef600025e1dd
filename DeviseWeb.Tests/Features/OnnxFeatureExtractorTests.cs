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

    [Fact]
    public async Task Dispose_WhileExtractionsRun_WaitsForThemAndRefusesLaterOnes()
    {
        // Freeing the sessions under a running extraction ended the test host with SIGSEGV (a cancelled import's
        // backbone tasks outlived the host that disposed the extractor); here two threads extract without pause.
        using var image = _loader.Load(TestData.DemoImage("bear", "photo-bear.png"));
        int done = 0;
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<string>();
        var loops = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (true)
            {
                try
                {
                    var features = _extractor.Extract(image);
                    outcomes.Add(features.Length == 512 && features.All(float.IsFinite) ? "features" : $"bad features ({features.Length})");
                    Interlocked.Increment(ref done);
                }
                catch (ObjectDisposedException)
                {
                    outcomes.Add("refused");
                    return;
                }
            }
        })).ToArray();
        while (Volatile.Read(ref done) < 4 && !loops.Any(l => l.IsCompleted)) await Task.Delay(10);

        _extractor.Dispose();
        await Task.WhenAll(loops);

        Assert.All(outcomes, o => Assert.Contains(o, new[] { "features", "refused" }));
        Assert.Equal(2, outcomes.Count(o => o == "refused"));
        Assert.Throws<ObjectDisposedException>(() => _extractor.Extract(image));
    }
}
