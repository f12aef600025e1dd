// TorchSharp and ONNX Runtime share 2 cores and native thread pools: running test classes in parallel buys
// nothing here and makes native state races possible, so the suite runs one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
