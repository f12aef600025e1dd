using DeviseWeb.Engine.Training;
using Microsoft.AspNetCore.SignalR;

namespace DeviseWeb.Hubs;

/// <summary>
/// Live training for any client (a script, another UI): connect to <see cref="Path"/>, listen for
/// <see cref="EventMethod"/> (payload: <see cref="TrainingJobEvent"/>, enums as strings), call GetCurrent() to (re)attach.
/// </summary>
public sealed class TrainingHub(TrainingJobRunner runner) : Hub
{
    public const string Path = "/hubs/training";
    public const string EventMethod = "TrainingEvent";

    /// <summary>The running job, else the most recent one; null before any job ran.</summary>
    public TrainingJobSnapshot? GetCurrent() => runner.Current;
}
