using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Features.Quantization;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Jobs.Handlers;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training.Methods;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Engine;

/// <summary>The one way every host (web app, CLI, tests) composes the engine.</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the engine's services, all singletons (thread-safe, process-wide), and the job worker as a hosted
    /// service. Options come from <c>configure</c> on top of whatever binds <see cref="EngineOptions"/> (the web host
    /// binds the "Devise" configuration section). The backbone and the text encoder load on first use.
    /// </summary>
    public static IServiceCollection AddDeviseEngine(this IServiceCollection services, Action<EngineOptions>? configure = null)
    {
        // Checked when the host starts (and wherever they are first read), with one message per bad setting.
        services.AddOptions<EngineOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EngineOptions>, EngineOptionsValidation>());
        if (configure is not null) services.Configure(configure);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EngineOptions>>().Value);

        // Storage: one lock, one database, the repositories over it.
        services.AddSingleton(sp => new DataStore(sp.GetRequiredService<EngineOptions>(), sp.GetService<ILogger<DataStore>>()));
        services.AddSingleton(sp => sp.GetRequiredService<DataStore>().Database);
        services.AddSingleton<ImageRepository>();
        services.AddSingleton<ModelRepository>();
        services.AddSingleton<JobRepository>();
        services.AddSingleton(sp => new VectorColumnStore(sp.GetRequiredService<DeviseDatabase>(), sp.GetRequiredService<EngineOptions>().DataDirectory));
        services.AddSingleton<VectorIndexes>();
        services.AddSingleton<VectorMaintenance>();
        services.AddSingleton<StoreVerifier>();
        services.AddSingleton<StoreBackup>();

        // Pretrained models, loaded on first use.
        services.AddSingleton<IFeatureExtractor>(sp =>
        {
            var o = sp.GetRequiredService<EngineOptions>();
            if (o.BackbonePrecision == BackbonePrecision.Float)
                return new OnnxFeatureExtractor(o.BackboneModelPath, o.PreprocessModelPath, o.BackboneInputSize, o.InferenceThreads);
            // The int8 model takes the raw pixels: the preprocessing is inside it.
            string int8 = Int8Backbone.EnsureFile(o.BackboneModelPath, o.PreprocessModelPath, Int8Backbone.DefaultRangesPath(o.BackboneModelPath), o.GeneratedBackbonesDirectory);
            return new OnnxFeatureExtractor(int8, preprocessPath: null, o.BackboneInputSize, o.InferenceThreads);
        });
        services.AddSingleton<ITextEncoder>(_ => new QueryVectorCache(new MiniLmTextEncoder()));
        // A failed load is not remembered (a model file put in place later is picked up): the container keeps no
        // failed singleton, and PublicationOnly keeps no exception, unlike Lazy's default.
        services.AddSingleton(sp => new Lazy<IFeatureExtractor>(sp.GetRequiredService<IFeatureExtractor>, LazyThreadSafetyMode.PublicationOnly));
        services.AddSingleton(sp => new Lazy<ITextEncoder>(sp.GetRequiredService<ITextEncoder>, LazyThreadSafetyMode.PublicationOnly));
        services.AddSingleton(sp => { var o = sp.GetRequiredService<EngineOptions>(); return new SafeImageLoader(DecodeLimits.From(o)); });

        // Feature services.
        services.AddSingleton<FeatureStore>();
        services.AddSingleton<LabelVectors>();
        services.AddSingleton(sp => new Lazy<WordNetHypernyms?>(() => WordNetHypernyms.Open(sp.GetRequiredService<EngineOptions>().VocabularyPath)));
        services.AddSingleton<LabelTargets>();
        services.AddSingleton<TrainingPipeline>();
        services.AddSingleton<ModelService>();
        services.AddSingleton<ModelTrainer>();
        services.AddSingleton<GalleryService>();
        services.AddSingleton<ImageWriter>();
        services.AddSingleton<ImportService>();
        services.AddSingleton<ReferencePhotos>();
        services.AddSingleton<SearchService>();
        services.AddSingleton<KeywordService>();
        services.AddSingleton<EvaluationService>();
        services.AddSingleton<DuplicateProbe>();
        services.AddSingleton<PhotoRanking>();
        services.AddSingleton<HypernymExpansions>();
        services.AddSingleton<StatusService>();
        services.AddSingleton<EngineMetrics>();

        // One durable job queue, drained by one worker.
        services.AddSingleton<IJobHandler, ImportJobHandler>();
        services.AddSingleton<IJobHandler, TrainingJobHandler>();
        services.AddSingleton<IJobHandler, ActivationJobHandler>();
        services.AddSingleton<IJobHandler, VocabularyJobHandler>();
        services.AddSingleton<IJobHandler, CompactionJobHandler>();
        services.AddSingleton<IJobHandler, EvaluationJobHandler>();
        services.AddSingleton<JobQueue>();
        services.AddSingleton<JobThread>();
        services.AddHostedService<JobWorker>();
        return services;
    }
}
