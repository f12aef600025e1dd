using DeviseWeb.Engine;

namespace DeviseWeb.Tests;

public sealed class InFlightGateTests
{
    [Fact]
    public async Task Close_WithACallInFlight_WaitsForItThenRefusesNewCalls()
    {
        var gate = new InFlightGate("session");
        var call = gate.Enter();

        var closing = Task.Run(gate.Close);
        bool closedWhileInFlight = await Task.WhenAny(closing, Task.Delay(300)) == closing;
        call.Dispose();
        bool first = await closing.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(closedWhileInFlight, "Close returned while a call was still using the session");
        Assert.True(first);
        Assert.False(gate.Close());
        Assert.Throws<ObjectDisposedException>(() => gate.Enter());
    }
}
