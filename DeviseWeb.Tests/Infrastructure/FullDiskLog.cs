namespace DeviseWeb.Tests.Infrastructure;

/// <summary>A LiteDB log stream whose writes fail as a full disk's do once <see cref="Full"/> is set.</summary>
internal sealed class FullDiskLog : MemoryStream
{
    public bool Full { get; set; }

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (Full) throw new IOException("No space left on device");
        base.Write(buffer, offset, count);
    }
}
