using BilevelDsl.Experiments.Cli;

namespace BilevelDsl.Experiments.Data;

/// <summary>
/// FashionMNIST (Xiao, Rasul and Vollgraf 2017) from the Debian package dataset-fashion-mnist: 60,000 training and
/// 10,000 test images of 28 x 28 grey levels, 10 classes. Pixels are scaled to [0, 1]; an optional average pooling
/// (2 gives 14 x 14, 4 gives 7 x 7) makes the small runs cheaper.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where the Debian package installs the files; the environment variable FASHION_MNIST_DIR overrides it.</summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("FASHION_MNIST_DIR") is { Length: > 0 } dir ? dir : "/usr/share/datasets/fashion-mnist";

    public const int Classes = 10;

    /// <summary>Loads the training (60,000) or test (10,000) part.</summary>
    /// <exception cref="ExperimentException">The files are missing (names the package) or malformed.</exception>
    public static LabelledData Load(bool trainingPart, int pool = 1, string? directory = null)
    {
        directory ??= DefaultDirectory;
        string prefix = trainingPart ? "train" : "t10k";
        string images = Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz");
        string labels = Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz");
        if (!File.Exists(images) || !File.Exists(labels))
        {
            throw new ExperimentException(
                $"FashionMNIST not found in {directory} ({Path.GetFileName(File.Exists(images) ? labels : images)} is missing): install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or set FASHION_MNIST_DIR");
        }

        if (pool is not (1 or 2 or 4 or 7))
        {
            throw new ExperimentException($"--pool must be 1, 2, 4 or 7 (a divisor of 28), not {pool}");
        }

        (int[] imageDims, byte[] pixels) = Idx.Read(images);
        (int[] labelDims, byte[] classes) = Idx.Read(labels);
        if (imageDims.Length != 3 || labelDims.Length != 1 || imageDims[0] != labelDims[0])
        {
            throw new ExperimentException($"{images} and {labels} do not describe the same images ({string.Join('x', imageDims)} vs {string.Join('x', labelDims)})");
        }

        int count = imageDims[0], height = imageDims[1], width = imageDims[2];
        int ph = height / pool, pw = width / pool;
        double scale = 1.0 / (255.0 * pool * pool);
        double[] features = new double[count * ph * pw];
        for (int n = 0; n < count; n++)
        {
            int source = n * height * width, target = n * ph * pw;
            for (int r = 0; r < height; r++)
            {
                for (int c = 0; c < width; c++)
                {
                    int pr = r / pool, pc = c / pool;
                    if (pr < ph && pc < pw)
                    {
                        features[target + (pr * pw) + pc] += pixels[source + (r * width) + c] * scale;
                    }
                }
            }
        }

        int[] labelArray = new int[count];
        for (int n = 0; n < count; n++)
        {
            if (classes[n] >= Classes)
            {
                throw new ExperimentException($"{labels}: label {classes[n]} at {n} is not a class 0-9");
            }

            labelArray[n] = classes[n];
        }

        return new LabelledData(features, ph * pw, labelArray, null);
    }
}
