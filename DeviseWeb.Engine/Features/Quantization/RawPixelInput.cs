namespace DeviseWeb.Engine.Features.Quantization;

/// <summary>
/// Moves the preprocessing (RGB → BGR, minus the mean image) behind the first Conv, so the model takes the raw planar
/// RGB 0–255 pixels the extractor makes, which uint8 holds exactly (scale 1, zero point 0). The mean image's range
/// (about -130 to 160) is what made a quantized first Conv lose most of its accuracy (docs/int8-backbone.md).
/// Conv and its zero padding are linear, so Conv(x − M) = Conv(x) − Conv(M): the channel swap becomes a permutation
/// of the first Conv's input channels, and Conv(M), a constant, is subtracted after it. Each channel's least value of
/// it goes into the bias; what varies by position (the mean image is not flat) is a float Sub after the Conv. The term
/// left is then never negative, so the Conv's output can be quantized from 0 up as a ReLU's is: centring it on its
/// mean instead needed the range to start at -9 and lowered the worst image's feature cosine from 0.95 to 0.91.
/// </summary>
internal static class RawPixelInput
{
    /// <summary>Output name suffix of the first Conv once it reads raw pixels (before the mean image's term is subtracted).</summary>
    public const string RawSuffix = "_raw_pixels";

    /// <summary>Raw pixels are bytes: the range the int8 model's input is quantized over, whatever calibration saw.</summary>
    public static readonly TensorRange PixelRange = new(0, 255);

    /// <summary>The preprocessing ResNetPreprocess.onnx does: channel k of its output is input channel Channel[k] minus Mean's channel k.</summary>
    public sealed record Preprocessing(int[] Channel, float[] Mean, long[] Dims);

    /// <summary>
    /// Reads the channel order and mean image from the packaged preprocessing model: Split(channels) → Concat → Sub(constant).
    /// Any other preprocessing is refused, since the rewrite below is exact only for that one.
    /// </summary>
    public static Preprocessing Read(byte[] preprocessModel)
    {
        var model = OnnxModel.Read(preprocessModel);
        var ops = model.Nodes.Select(n => n.Op).ToList();
        if (!ops.SequenceEqual(["Split", "Concat", "Sub"]))
            throw new InvalidDataException($"The int8 backbone needs the packaged preprocessing (Split, Concat, Sub of the mean image); this one runs {string.Join(", ", ops)}.");
        var (split, concat, sub) = (model.Nodes[0], model.Nodes[1], model.Nodes[2]);
        int[] channel = [.. concat.Inputs.Select(i => split.Outputs.IndexOf(i))];
        if (!channel.Order().SequenceEqual(Enumerable.Range(0, channel.Length)) || sub.Inputs[0] != concat.Outputs[0] || !model.Initializers.TryGetValue(sub.Inputs[1], out var mean))
            throw new InvalidDataException("The int8 backbone needs the preprocessing to reorder the image's channels and then subtract a constant mean image.");
        return new Preprocessing(channel, mean.Floats(), mean.Dims);
    }

    /// <summary>
    /// Rewrites the first Conv (BatchNormalization already folded into it) to read the raw pixels and returns the name
    /// of its output, before the position term is subtracted. That term is at least 0, so wherever the output is below
    /// 0 the ReLU after the subtraction gives 0: quantized from 0 up, like a ReLU's output, it loses nothing below.
    /// </summary>
    public static string Apply(OnnxModel model, Preprocessing preprocessing)
    {
        var input = model.Inputs.Single();
        var conv = model.Nodes.First(n => n.Op == "Conv");
        if (conv.Inputs[0] != input.Name || model.Consumers(input.Name).Count() != 1)
            throw new InvalidDataException("The int8 backbone needs a model whose input feeds one Conv only.");
        if ((conv.Attribute("group")?.Ints.Single() ?? 1) != 1 || (conv.Attribute("dilations")?.Ints ?? []).Any(d => d != 1)
            || (conv.Attribute("auto_pad")?.Text ?? "NOTSET") != "NOTSET")
            throw new InvalidDataException("The int8 backbone's first Conv must be ungrouped, undilated and explicitly padded.");

        var weightTensor = model.Initializers[conv.Inputs[1]];
        var weight = OnInt8Grid(weightTensor.Floats(), (int)weightTensor.Dims[0]);
        if (conv.Inputs.Count < 3)
        {
            model.Initializers[conv.Outputs[0] + "_bias"] = GraphTensor.Of(conv.Outputs[0] + "_bias", [weightTensor.Dims[0]], new float[weightTensor.Dims[0]]);
            conv.Inputs.Add(conv.Outputs[0] + "_bias");
        }
        var biasTensor = model.Initializers[conv.Inputs[2]];
        var bias = biasTensor.Floats();
        var meanResponse = Convolve(weight, weightTensor.Dims, preprocessing.Mean, preprocessing.Dims,
            conv.Attribute("strides")?.Ints ?? [1, 1], conv.Attribute("pads")?.Ints ?? [0, 0, 0, 0], out var outputDims);

        int channels = (int)outputDims[1], positions = (int)(outputDims[2] * outputDims[3]);
        var residual = new float[meanResponse.Length];
        for (int c = 0; c < channels; c++)
        {
            var slice = meanResponse.AsSpan(c * positions, positions);
            double least = double.MaxValue;
            foreach (double v in slice) least = Math.Min(least, v);
            bias[c] = (float)(bias[c] - least);
            for (int p = 0; p < positions; p++) residual[c * positions + p] = (float)(slice[p] - least);
        }

        // Preprocessed channel k is raw channel Channel[k], so the weight that read k now reads Channel[k].
        int inputs = (int)weightTensor.Dims[1], kernel = weight.Length / (channels * inputs);
        var permuted = new float[weight.Length];
        for (int o = 0; o < channels; o++)
            for (int k = 0; k < inputs; k++)
                weight.AsSpan((o * inputs + k) * kernel, kernel).CopyTo(permuted.AsSpan((o * inputs + preprocessing.Channel[k]) * kernel, kernel));

        model.Initializers[weightTensor.Name] = GraphTensor.Of(weightTensor.Name, weightTensor.Dims, permuted);
        model.Initializers[biasTensor.Name] = GraphTensor.Of(biasTensor.Name, biasTensor.Dims, bias);
        string output = conv.Outputs[0], raw = output + RawSuffix, residualName = output + "_mean_image_term";
        model.Initializers[residualName] = GraphTensor.Of(residualName, outputDims, residual);
        conv.Outputs[0] = raw;
        model.Nodes.Insert(model.Nodes.IndexOf(conv) + 1, new GraphNode("Sub", [raw, residualName], [output]) { Name = output });
        model.KeepValueInfo = false;
        return raw;
    }

    /// <summary>
    /// The weights rounded to the int8 values the quantizer gives them (which then stay exactly these), before the mean
    /// image's term is computed with them. The term then cancels what the rounding does to the mean image, and the
    /// rounding error left is the one on x − M, as with a preprocessed input; computed with the float weights, the
    /// rounding error on the mean image (about 115 per pixel) stayed in every output and the feature cosine against
    /// the float model fell from 0.99 to 0.98 (docs/int8-backbone.md).
    /// </summary>
    private static float[] OnInt8Grid(float[] weight, int channels)
    {
        var (values, scales) = QdqQuantizer.Weights(weight, channels);
        int perChannel = weight.Length / channels;
        return [.. values.Select((v, i) => v * scales[i / perChannel])];
    }

    /// <summary>The Conv's response to one constant image (no bias), in double so the bytes do not depend on summation order.</summary>
    private static double[] Convolve(float[] weight, long[] weightDims, float[] image, long[] imageDims, long[] strides, long[] pads, out long[] outputDims)
    {
        int outChannels = (int)weightDims[0], inChannels = (int)weightDims[1], kh = (int)weightDims[2], kw = (int)weightDims[3];
        int height = (int)imageDims[2], width = (int)imageDims[3];
        if (imageDims[1] != inChannels) throw new InvalidDataException($"The mean image has {imageDims[1]} channels; the first Conv reads {inChannels}.");
        int sh = (int)strides[0], sw = (int)strides[1], top = (int)pads[0], left = (int)pads[1];
        int outHeight = (height + top + (int)pads[2] - kh) / sh + 1, outWidth = (width + left + (int)pads[3] - kw) / sw + 1;
        outputDims = [1, outChannels, outHeight, outWidth];
        var output = new double[outChannels * outHeight * outWidth];
        Parallel.For(0, outChannels, o =>
        {
            for (int y = 0; y < outHeight; y++)
                for (int x = 0; x < outWidth; x++)
                {
                    double sum = 0;
                    for (int c = 0; c < inChannels; c++)
                        for (int i = 0; i < kh; i++)
                        {
                            int iy = y * sh - top + i;
                            if (iy < 0 || iy >= height) continue; // zero padding
                            for (int j = 0; j < kw; j++)
                            {
                                int ix = x * sw - left + j;
                                if (ix < 0 || ix >= width) continue;
                                sum += (double)weight[((o * inChannels + c) * kh + i) * kw + j] * image[(c * height + iy) * width + ix];
                            }
                        }
                    output[(o * outHeight + y) * outWidth + x] = sum;
                }
        });
        return output;
    }
}
