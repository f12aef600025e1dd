using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;
using DeviseWeb.Engine.Training.Methods;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;

namespace DeviseWeb.Bench;

/// <summary>
/// Bench support, not for hosts' everyday use: fills a store with synthetic images through the engine's own write
/// paths, so scale figures measure the code that serves real galleries. Images go through the insert every import
/// uses (record, thumbnail, features and every loaded version's embedding in one transaction), many per transaction;
/// a model version is written through the bulk column write training uses. Synthetic rows have no original file.
/// Create it from a composed engine: <c>ActivatorUtilities.CreateInstance&lt;ScaleSeeder&gt;(services)</c>.
/// </summary>
public sealed class ScaleSeeder(DeviseDatabase database, ImageWriter writer, ModelService modelService,
    FeatureStore features, Lazy<ITextEncoder> text)
{
    /// <summary>Bump when what a seeded store holds changes, so cached stores are seeded again.</summary>
    public const int LayoutVersion = 1;

    /// <summary>Images written per transaction while seeding.</summary>
    public const int TransactionRows = 1000;

    /// <summary>Synthetic images are spread over this many labels.</summary>
    public const int LabelCount = 1000;

    private const int ThumbnailSide = 32;
    private static readonly Lazy<byte[]> Thumbnail = new(MakeThumbnail);

    /// <summary>Width of the stored backbone features.</summary>
    public int FeatureDimension => features.Dimension;

    /// <summary>Adds synthetic images with random features, <see cref="TransactionRows"/> per transaction; returns their ids.</summary>
    public IReadOnlyList<int> AddImages(int count, Random random, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var ids = new List<int>(count);
        for (int start = 0; start < count; start += TransactionRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(TransactionRows, count - start);
            database.Write(() =>
            {
                for (int i = 0; i < rows; i++)
                    ids.Add((writer.Insert(NewRecord(random), Thumbnail.Value, RandomFeatures(random)) ?? throw Duplicate()).Id);
            });
            progress?.Report(ids.Count);
        }
        return ids;
    }

    /// <summary>Adds one synthetic image in its own transaction, timing the whole insert and, within it, the index adds.</summary>
    public InsertTiming AddImageTimed(Random random)
    {
        var record = NewRecord(random);
        var vector = RandomFeatures(random);
        var index = TimeSpan.Zero;
        long start = Stopwatch.GetTimestamp();
        var added = writer.Insert(record, Thumbnail.Value, vector, t => index += t) ?? throw Duplicate();
        return new InsertTiming(added.Id, Stopwatch.GetElapsedTime(start), index);
    }

    /// <summary>
    /// Saves a model version whose head has random weights and whose gallery embeddings are random unit vectors (one
    /// per image with features, uniform on the sphere), and makes it the active one.
    /// </summary>
    public ModelVersionInfo CreateActiveModel(int seed)
    {
        var ids = features.Ids();
        var random = new Random(seed);
        int dimension = text.Value.Dimension;
        var embeddings = new float[ids.Count][];
        for (int i = 0; i < embeddings.Length; i++) embeddings[i] = RandomUnitVector(random, dimension);

        var options = new TrainingOptions { Seed = seed, Activate = true, TransferWeight = 0 }; // random weights: nothing to transfer
        torch.random.manual_seed(seed);
        var head = new DeviseHead(features.Dimension, options.HiddenSize, dimension, options.Dropout);
        head.to(DeviceChooser.Device);
        var record = new ModelRecord
        {
            CreatedUtc = DateTime.UtcNow, OptionsVersion = ModelRecord.CurrentOptionsVersion, Options = options, Backbone = features.Backbone, TextEncoder = text.Value.Name,
            Architecture = DeviseHead.Describe(features.Dimension, options.HiddenSize, dimension, options.Dropout) + " (bench: random weights)",
            FeatureDimension = features.Dimension, EmbeddingDimension = dimension,
            Labels = Enumerable.Range(0, LabelCount).Select(LabelOf).ToList(), Completed = true,
        };
        byte[] weights;
        try { weights = head.SaveWeights(); }
        catch
        {
            head.Dispose();
            throw;
        }
        // The service owns the head from here, whatever happens.
        return modelService.Publish(record, weights, ids, embeddings,
            new ImageEmbedder(head, new DeviseMapping(dimension, new Dictionary<string, float[]>()), transfer: null), activate: true, plan: null);
    }

    /// <summary>The active model version's index, held until the lease is disposed.</summary>
    public ActiveIndexLease AcquireActiveIndex() => new(modelService.Acquire());

    /// <summary>A random unit vector, uniform on the sphere (normalised Gaussian), as the peer draws its vectors.</summary>
    public static float[] RandomUnitVector(Random random, int dimension)
    {
        var vector = new float[dimension];
        for (int i = 0; i < dimension; i += 2)
        {
            // Box–Muller: two standard normals from two uniforms.
            double radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())), angle = 2 * Math.PI * random.NextDouble();
            vector[i] = (float)(radius * Math.Cos(angle));
            if (i + 1 < dimension) vector[i + 1] = (float)(radius * Math.Sin(angle));
        }
        return VectorMath.Normalized(vector);
    }

    private float[] RandomFeatures(Random random)
    {
        // Non-negative, as pooled ReLU features are.
        var vector = new float[features.Dimension];
        for (int i = 0; i < vector.Length; i++) vector[i] = random.NextSingle() * 2;
        return vector;
    }

    private static ImageRecord NewRecord(Random random)
    {
        // Content hashes must be unique across runs on one store, so they do not come from the seeded stream.
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes("devise-bench|" + Guid.NewGuid().ToString("N"))));
        return new ImageRecord
        {
            ContentHash = hash, Label = LabelOf(random.Next(LabelCount)), FileName = $"synthetic-{hash[..12]}.jpg",
            StoredFile = Path.Combine("images", hash[..2], $"{hash}.jpg"), Width = ThumbnailSide, Height = ThumbnailSide,
            ByteCount = Thumbnail.Value.Length, AddedUtc = DateTime.UtcNow,
        };
    }

    private static string LabelOf(int index) => $"synthetic {index:D4}";

    private static InvalidOperationException Duplicate() => new("A synthetic image collided with a stored one.");

    private static byte[] MakeThumbnail()
    {
        using var image = new Image<Rgb24>(ThumbnailSide, ThumbnailSide, new Rgb24(96, 128, 160));
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream);
        return stream.ToArray();
    }
}

/// <summary>How long one insert took in all, and the part of it spent in index adds.</summary>
public readonly record struct InsertTiming(int Id, TimeSpan Insert, TimeSpan Index);

/// <summary>An active model version's index, held (not disposed under a search) until this lease is disposed.</summary>
public sealed class ActiveIndexLease : IDisposable
{
    private ModelLease? _lease;

    internal ActiveIndexLease(ModelLease lease) => _lease = lease;

    public int ModelId => Lease.Model.Id;

    public IVectorIndex Index => Lease.Model.Index;

    private ModelLease Lease => _lease ?? throw new ObjectDisposedException(nameof(ActiveIndexLease));

    public void Dispose()
    {
        _lease?.Dispose();
        _lease = null;
    }
}
