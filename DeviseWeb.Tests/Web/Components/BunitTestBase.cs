using Bunit;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using DeviseWeb.Services;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace DeviseWeb.Tests.Web.Components;

/// <summary>
/// A bUnit context with real MudBlazor services and loose JS interop. Disposed asynchronously: MudBlazor's
/// popover service can only be disposed that way, and xunit 2 only awaits disposal through IAsyncLifetime.
/// </summary>
public abstract class BunitTestBase : IAsyncLifetime
{
    protected BunitContext Context { get; } = new();

    protected BunitTestBase()
    {
        Context.Services.AddMudServices();
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>The app's own services around a real engine, with the lifetimes AddDeviseWeb gives them.</summary>
    protected TrainingJobRunner AddDeviseServices(DeviseEngine engine)
    {
        var runner = new TrainingJobRunner(engine);
        Context.Services.AddLogging();
        Context.Services.AddSingleton(engine);
        Context.Services.AddSingleton(runner);
        Context.Services.AddSingleton<TrainingNotifier>();
        Context.Services.AddSingleton<ModelActivationService>();
        Context.Services.AddSingleton<FirstStartState>();
        return runner;
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync() => await Context.DisposeAsync();
}
