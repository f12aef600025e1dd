using DeviseWeb.Engine.Search.Index;
using static TorchSharp.torch;

namespace DeviseWeb.Tests.Search.Index;

/// <summary>The tensor backend, forced onto the CPU (the CUDA build is not here), against the SIMD backend.</summary>
public sealed class TensorScannerTests
{
    private const int Dimension = 40;

    [Fact]
    public async Task Search_TensorBackendOnCpu_EqualsSimdBackend()
    {
        var options = new VectorIndexOptions { SealRows = 100 };
        using var simd = new InProcessVectorIndex(Dimension, options: options with { Backend = ScanBackend.Simd });
        using var tensors = new InProcessVectorIndex(Dimension, options: options with { Backend = ScanBackend.Tensor, Device = CPU });
        var vectors = VectorData.UnitVectors(450, Dimension, seed: 41);
        foreach (var index in new[] { simd, tensors })
        {
            for (int i = 0; i < vectors.Length; i++) index.Add(i, vectors[i]);
            await index.CompactAsync();
            for (int id = 0; id < 450; id += 9) index.Remove(id); // tombstones in segments and tail
        }
        var queries = VectorData.UnitVectors(12, Dimension, seed: 42);
        var search = new VectorSearchOptions { Exclude = new HashSet<int> { 1, 2, 3 }, MinScore = -0.2f };

        var fromTensors = tensors.SearchBatch(queries, 15, search);
        var fromSimd = simd.SearchBatch(queries, 15, search);
        var single = tensors.Search(queries[0], 15, search);

        for (int q = 0; q < queries.Length; q++) VectorData.AssertSameHits(fromSimd[q], fromTensors[q]);
        VectorData.AssertSameHits(fromSimd[0], single);
        Assert.Equal(15, single.Count);
    }
}
