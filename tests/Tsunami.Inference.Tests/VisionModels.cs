using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tsunami.Core.Imaging;
using Tsunami.Inference.Concepts;
using Tsunami.Inference.Onnx;
using Tsunami.Inference.Vision;
using Tsunami.Media;
using Tsunami.Media.Decoding;

namespace Tsunami.Inference.Tests;

/// <summary>The real default models from ../shared/models, opened once for all tests.</summary>
public sealed class VisionModels : IDisposable
{
    private readonly OnnxModel _yolox;
    private readonly OnnxModel _mobileNet;
    private readonly OnnxModel _yunet;
    private readonly PhotoProcessor _processor = new(Options.Create(new MediaOptions()));

    public VisionModels()
    {
        Factory = new OnnxSessionFactory(Options.Create(new InferenceOptions { IntraOpThreads = 2 }), NullLogger<OnnxSessionFactory>.Instance);
        _yolox = Factory.Open("yolox-nano", Shared("yolox_nano.onnx"), ObjectDetector.Signature);
        _mobileNet = Factory.Open("mobilenetv2", Shared("mobilenetv2-12-int8.onnx"), ImageClassifier.Signature);
        _yunet = Factory.Open("yunet", Shared("face_detection_yunet_2023mar.onnx"), FaceDetector.Signature);
        Objects = new ObjectDetector(_yolox);
        Classifier = new ImageClassifier(_mobileNet, ImageNetClasses.Load(Shared("imagenet_synset.txt")));
        Faces = new FaceDetector(_yunet);
        WordNet = WordNet.Open(RepositoryPaths.Model("wordnet/data.noun"));
    }

    public OnnxSessionFactory Factory { get; }
    public ObjectDetector Objects { get; }
    public ImageClassifier Classifier { get; }
    public FaceDetector Faces { get; }
    public WordNet WordNet { get; }

    public static string Shared(string file) => RepositoryPaths.Model(file);

    /// <summary>A sample as the enrichment sees it: the upright 1280 px preview.</summary>
    public RgbImage Load(string sample) => _processor.DecodeRgb(File.ReadAllBytes(RepositoryPaths.Sample(sample)), 1280);

    public void Dispose()
    {
        _yolox.Dispose();
        _mobileNet.Dispose();
        _yunet.Dispose();
        WordNet.Dispose();
    }
}
