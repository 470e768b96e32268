using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tsunami.Core.Imaging;
using Tsunami.Inference.Concepts;
using Tsunami.Inference.Onnx;
using Tsunami.Inference.Text;
using Tsunami.Inference.Vision;
using Tsunami.Media;
using Tsunami.Media.Decoding;

namespace Tsunami.Inference.Tests;

/// <summary>The real default models from ../shared/models, opened once for all tests.</summary>
public sealed class RealModels : IDisposable
{
    private readonly OnnxModel _yolox;
    private readonly OnnxModel _mobileNet;
    private readonly OnnxModel _yunet;
    private readonly OnnxModel[] _text;
    private readonly PhotoProcessor _processor = new(Options.Create(new MediaOptions()));

    public RealModels()
    {
        Factory = new OnnxSessionFactory(Options.Create(new InferenceOptions { IntraOpThreads = 2 }), NullLogger<OnnxSessionFactory>.Instance);
        _yolox = Factory.Open("yolox-nano", Shared("yolox_nano.onnx"), ObjectDetector.Signature);
        _mobileNet = Factory.Open("mobilenetv2", Shared("mobilenetv2-12-int8.onnx"), ImageClassifier.Signature);
        _yunet = Factory.Open("yunet", Shared("face_detection_yunet_2023mar.onnx"), FaceDetector.Signature);
        Objects = new ObjectDetector(_yolox);
        Classifier = new ImageClassifier(_mobileNet, ImageNetClasses.Load(Shared("imagenet_synset.txt")));
        Faces = new FaceDetector(_yunet);
        _text =
        [
            Factory.Open("ppocr-det", Shared("ppocr/ch_PP-OCRv4_det_infer.onnx"), TextDetector.Signature),
            Factory.Open("ppocr-cls", Shared("ppocr/ch_ppocr_mobile_v2.0_cls_infer.onnx"), TextAngleClassifier.Signature),
            Factory.Open("ppocr-rec", Shared("ppocr/ch_PP-OCRv4_rec_infer.onnx"), TextRecognizer.Signature),
        ];
        Text = new OcrReader(new TextDetector(_text[0]), new TextAngleClassifier(_text[1]), TextRecognizer.Create(_text[2], Shared("ppocr/ppocr_keys_v1.txt")));
        WordNet = WordNet.Open(RepositoryPaths.Model("wordnet/data.noun"));
    }

    public OnnxSessionFactory Factory { get; }
    public ObjectDetector Objects { get; }
    public ImageClassifier Classifier { get; }
    public FaceDetector Faces { get; }
    public OcrReader Text { get; }

    /// <summary>How often the text detector has run: which path the gate took.</summary>
    public long TextDetections => _text[0].Runs;
    public WordNet WordNet { get; }

    public static string Shared(string file) => RepositoryPaths.Model(file);

    /// <summary>A sample as the enrichment sees it: the upright 1280 px preview.</summary>
    public RgbImage Load(string sample) => Decode(File.ReadAllBytes(RepositoryPaths.Sample(sample)));

    public RgbImage Decode(byte[] content) => _processor.DecodeViews(content, [Core.Imaging.ViewSize.Longer(1280)])[0];

    /// <summary>The views the enrichment hands the models.</summary>
    public IReadOnlyList<RgbImage> Views(string sample, params Core.Imaging.ViewSize[] sizes) =>
        Views(File.ReadAllBytes(RepositoryPaths.Sample(sample)), sizes);

    public IReadOnlyList<RgbImage> Views(byte[] content, params Core.Imaging.ViewSize[] sizes) => _processor.DecodeViews(content, sizes);

    /// <summary>The views made up front; others when first read.</summary>
    public Media.Decoding.PhotoViews OpenViews(byte[] content, params Core.Imaging.ViewSize[] sizes) => _processor.OpenViews(content, sizes);

    public void Dispose()
    {
        _yolox.Dispose();
        _mobileNet.Dispose();
        _yunet.Dispose();
        Array.ForEach(_text, m => m.Dispose());
        WordNet.Dispose();
    }
}
