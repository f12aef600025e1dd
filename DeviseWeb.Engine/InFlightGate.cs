namespace DeviseWeb.Engine;

/// <summary>
/// Keeps a native session from being freed under a call that is using it: each call holds the gate while it runs,
/// and <see cref="Close"/> (the owner's Dispose) waits for the calls in flight and refuses new ones. Disposing an ONNX
/// session while another thread was inside its Run ended the test host with SIGSEGV (a cancelled import's backbone
/// tasks outlived the host that disposed the backbone); the same can happen to a server stopping mid-request.
/// </summary>
internal sealed class InFlightGate(string owner)
{
    private readonly object _lock = new();
    private int _inFlight;
    private bool _closed;

    /// <summary>Enters the gate for one call; dispose the result when the call is done.</summary>
    /// <exception cref="ObjectDisposedException">The owner has been disposed.</exception>
    public Call Enter()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, owner);
            _inFlight++;
        }
        return new Call(this);
    }

    /// <summary>Refuses new calls and waits for those in flight; true the first time, when the owner should free its session.</summary>
    public bool Close()
    {
        lock (_lock)
        {
            if (_closed) return false;
            _closed = true;
            while (_inFlight > 0) Monitor.Wait(_lock);
            return true;
        }
    }

    private void Exit()
    {
        lock (_lock)
            if (--_inFlight == 0) Monitor.PulseAll(_lock);
    }

    public readonly struct Call(InFlightGate gate) : IDisposable
    {
        public void Dispose() => gate.Exit();
    }
}
