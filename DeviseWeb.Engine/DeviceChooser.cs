using TorchSharp;
using static TorchSharp.torch;

namespace DeviseWeb.Engine;

/// <summary>The torch device, chosen once per process: CUDA when a CUDA build and a GPU are present, else CPU.</summary>
public static class DeviceChooser
{
    private static readonly Lazy<Device> Chosen = new(() => cuda.is_available() ? CUDA : CPU);
    public static Device Device => Chosen.Value;

    /// <summary>
    /// The device vector indexes scan on: CUDA where a CUDA build of libtorch ships beside the app and a GPU is
    /// present, else null (SIMD on the CPU). The file check comes first so a CPU install never loads libtorch to
    /// answer a search: loading it costs start-up time.
    /// </summary>
    public static Device? IndexDevice =>
        File.Exists(Path.Combine(AppContext.BaseDirectory, "libtorch_cuda.so")) && Device.type == DeviceType.CUDA ? Device : null;
}
