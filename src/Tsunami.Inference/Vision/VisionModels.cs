using Microsoft.Extensions.Options;
using Tsunami.Core.Imaging;
using Tsunami.Inference.Concepts;
using Tsunami.Inference.Onnx;
using Tsunami.Inference.Repository;
using Tsunami.Inference.Text;

namespace Tsunami.Inference.Vision;

/// <summary>The default vision models, loaded and validated, with the tags that version what they find.</summary>
public sealed class VisionModelSet : IDisposable
{
    private readonly List<IDisposable> _owned;

    internal VisionModelSet(ObjectDetector objects, ImageClassifier classifier, FaceDetector faces, OcrReader text, WordNet wordNet,
        SemanticSpace semantic, IReadOnlyDictionary<string, string> tags, List<IDisposable> owned)
    {
        Semantic = semantic;
        Sessions = owned.OfType<OnnxModel>().ToList();
        Objects = objects;
        Text = text;
        Classifier = classifier;
        Faces = faces;
        WordNet = wordNet;
        Tags = tags;
        _owned = owned;
    }

    public ObjectDetector Objects { get; }
    public ImageClassifier Classifier { get; }
    public FaceDetector Faces { get; }
    public OcrReader Text { get; }
    public WordNet WordNet { get; }
    public SemanticSpace Semantic { get; }

    /// <summary>Every open ONNX session, for their run counts and compute time.</summary>
    public IReadOnlyList<OnnxModel> Sessions { get; }

    /// <summary>Model name → tag (name:sha-prefix) of the file in use.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; }

    /// <summary>
    /// One run of each model on a blank image, so the first photos do not pay ONNX Runtime's first-run cost
    /// (memory planning, and for recognition its first width bucket: 100–300 ms, MODELS.md).
    /// </summary>
    internal void WarmUp()
    {
        RgbImage Blank(int width, int height) => new(width, height, Enumerable.Repeat((byte)128, width * height * 3).ToArray());
        Objects.Detect(Blank(ObjectDetector.Size, ObjectDetector.Size * 3 / 4));
        Faces.Detect(Blank(FaceDetector.Size, FaceDetector.Size * 3 / 4));
        Classifier.Classify([Blank(ImageClassifier.Resize * 4 / 3, ImageClassifier.Resize)]);
        Text.WarmUp(Blank(640, 480));
    }

    public void Dispose() => _owned.ForEach(o => o.Dispose());
}

/// <summary>Resolves and opens the default vision models once per process, on first use.</summary>
public sealed class VisionModels(ModelResolver resolver, OnnxSessionFactory sessions, IOptions<ModelOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private VisionModelSet? _loaded;

    public async Task<VisionModelSet> GetAsync(CancellationToken cancellationToken)
    {
        if (_loaded is { } loaded)
        {
            return loaded;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _loaded ??= await LoadAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<VisionModelSet> LoadAsync(CancellationToken cancellationToken)
    {
        var manifest = ModelManifest.Load(options.Value.Manifest);
        async Task<ResolvedModel> Resolve(string name) => await resolver.ResolveAsync(manifest.Find(name), cancellationToken);
        var yolox = await Resolve("yolox-nano");
        var mobileNet = await Resolve("mobilenetv2");
        var yunet = await Resolve("yunet");
        var classes = await Resolve("imagenet-classes");
        var wordNetFile = await Resolve("wordnet-nouns");
        var textDetection = await Resolve("ppocr-det");
        var textAngles = await Resolve("ppocr-cls");
        var textRecognition = await Resolve("ppocr-rec");
        var textKeys = await Resolve("ppocr-keys");
        var glove = await Resolve("glove-100d");

        var owned = new List<IDisposable>();
        T Own<T>(T disposable) where T : IDisposable
        {
            owned.Add(disposable);
            return disposable;
        }
        OnnxModel Open(ResolvedModel model, ModelSignature signature) => Own(sessions.Open(model.Model.Name, model.Path, signature));
        try
        {
            var objects = Open(yolox, ObjectDetector.Signature);
            var classifier = Open(mobileNet, ImageClassifier.Signature);
            var faces = Open(yunet, FaceDetector.Signature);
            var text = new OcrReader(new TextDetector(Open(textDetection, TextDetector.Signature)),
                new TextAngleClassifier(Open(textAngles, TextAngleClassifier.Signature)),
                TextRecognizer.Create(Open(textRecognition, TextRecognizer.Signature), textKeys.Path));
            var wordNet = Own(WordNet.Open(wordNetFile.Path));
            var wordVectors = Own(WordVectors.Open(glove.Path));
            var tags = new[] { yolox, mobileNet, yunet, classes, wordNetFile, textDetection, textAngles, textRecognition, textKeys, glove }
                .ToDictionary(r => r.Model.Name, r => r.Tag);
            var set = new VisionModelSet(new ObjectDetector(objects), new ImageClassifier(classifier, ImageNetClasses.Load(classes.Path)),
                new FaceDetector(faces), text, wordNet, new SemanticSpace(wordVectors), tags, owned);
            set.WarmUp();
            return set;
        }
        catch
        {
            owned.ForEach(o => o.Dispose());
            throw;
        }
    }

    public void Dispose()
    {
        _loaded?.Dispose();
        _gate.Dispose();
    }
}
