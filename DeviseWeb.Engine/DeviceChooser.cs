using static TorchSharp.torch;

namespace DeviseWeb.Engine;

/// <summary>The torch device, chosen once per process: CUDA when a CUDA build and a GPU are present, else CPU.</summary>
public static class DeviceChooser
{
    private static readonly Lazy<Device> Chosen = new(() => cuda.is_available() ? CUDA : CPU);
    public static Device Device => Chosen.Value;
}
