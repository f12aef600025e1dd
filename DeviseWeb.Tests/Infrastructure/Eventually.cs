namespace DeviseWeb.Tests.Infrastructure;

/// <summary>Waits for a state another thread brings about; the guard only turns a hang into a failure.</summary>
public static class Eventually
{
    public static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    public static async Task UntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Guard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(10);
        }
    }
}
