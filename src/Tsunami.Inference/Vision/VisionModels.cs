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
    private readonly IReadOnlyList<ResolvedModel> _files;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Path, DateTime Written, long Length), string> _servedTags = new();

    internal VisionModelSet(ObjectDetector objects, ImageClassifier classifier, FaceDetector faces, OcrReader text, WordNet wordNet,
        SemanticSpace semantic, IReadOnlyList<ResolvedModel> files, List<IDisposable> owned)
    {
        Semantic = semantic;
        Objects = objects;
        Text = text;
        Classifier = classifier;
        Faces = faces;
        WordNet = wordNet;
        _files = files;
        _owned = owned;
    }

    public ObjectDetector Objects { get; }
    public ImageClassifier Classifier { get; }
    public FaceDetector Faces { get; }
    public OcrReader Text { get; }
    public WordNet WordNet { get; }
    public SemanticSpace Semantic { get; }

    /// <summary>The models' runners, whose sessions give their run counts and compute time.</summary>
    public required IReadOnlyList<IModelRunner> Runners { get; init; }

    /// <summary>
    /// Model name → tag (name:sha-prefix) of the file in use now. A model the runtime serves from another file (a
    /// repository folder of that name, loaded at start or reloaded since) is tagged by that file's own digest, so
    /// that what it finds is versioned by it.
    /// </summary>
    public IReadOnlyDictionary<string, string> Tags
    {
        get
        {
            var tags = _files.ToDictionary(f => f.Model.Name, f => f.Tag);
            foreach (var runner in Runners)
            {
                if (runner.Path != _files.First(f => f.Model.Name == runner.Name).Path)
                {
                    var file = new FileInfo(runner.Path);
                    tags[runner.Name] = _servedTags.GetOrAdd((file.FullName, file.LastWriteTimeUtc, file.Length), key => ModelResolver.TagOf(runner.Name, key.Path));
                }
            }
            return tags;
        }
    }

    /// <summary>Every session behind the models (a served model has one per instance).</summary>
    public IReadOnlyList<OnnxModel> Sessions => [.. Runners.SelectMany(r => r.Sessions)];

    public void Dispose() => _owned.ForEach(o => o.Dispose());
}

/// <summary>
/// Resolves and opens the default vision models once per process, on first use, where the host runs models: in the
/// serving runtime when there is one (so the pipeline, the server and remote clients share its sessions and batchers),
/// else in sessions of their own.
/// </summary>
public sealed class VisionModels(ModelResolver resolver, IModelRunners runners, IOptions<ModelOptions> options) : IDisposable
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
        var opened = new List<IModelRunner>();
        async Task<IModelRunner> Open(ResolvedModel model, ModelSignature signature)
        {
            var runner = await runners.OpenAsync(model.Model.Name, model.Path, signature, cancellationToken);
            opened.Add(runner);
            if (runner is IDisposable disposable)
            {
                owned.Add(disposable);
            }
            return runner;
        }
        try
        {
            var objects = await Open(yolox, ObjectDetector.Signature);
            var classifier = await Open(mobileNet, ImageClassifier.Signature);
            var faces = await Open(yunet, FaceDetector.Signature);
            var detector = await Open(textDetection, TextDetector.Signature);
            var angles = await Open(textAngles, TextAngleClassifier.Signature);
            var recognizer = TextRecognizer.Create(await Open(textRecognition, TextRecognizer.Signature), textKeys.Path);
            var imageNet = ImageNetClasses.Load(classes.Path);
            await WarmUpAsync(objects, faces, classifier, imageNet, detector, angles, recognizer, cancellationToken);
            var text = new OcrReader(new TextDetector(detector), new TextAngleClassifier(angles), recognizer);
            var wordNet = Own(WordNet.Open(wordNetFile.Path));
            var wordVectors = Own(WordVectors.Open(glove.Path));
            var files = new[] { yolox, mobileNet, yunet, classes, wordNetFile, textDetection, textAngles, textRecognition, textKeys, glove };
            return new VisionModelSet(new ObjectDetector(objects), new ImageClassifier(classifier, imageNet),
                new FaceDetector(faces), text, wordNet, new SemanticSpace(wordVectors), files, owned) { Runners = opened };
        }
        catch
        {
            owned.ForEach(o => o.Dispose());
            throw;
        }
    }

    /// <summary>
    /// One run on every instance of every model on a blank image (each instance alone: a batcher could give both runs
    /// to one), so the first photos do not pay ONNX Runtime's first-run cost (memory planning, and for recognition its
    /// first width bucket: 100–300 ms, MODELS.md).
    /// </summary>
    private static async Task WarmUpAsync(IModelRunner objects, IModelRunner faces, IModelRunner classifier, ImageNetClasses imageNet,
        IModelRunner detector, IModelRunner angles, TextRecognizer recognizer, CancellationToken cancellationToken)
    {
        static RgbImage Blank(int width, int height) => new(width, height, Enumerable.Repeat((byte)128, width * height * 3).ToArray());
        var line = Blank(TextRecognizer.Height * 4, TextRecognizer.Height);
        foreach (var instance in objects.Instances)
        {
            await new ObjectDetector(instance).DetectAsync(Blank(ObjectDetector.Size, ObjectDetector.Size * 3 / 4), cancellationToken);
        }
        foreach (var instance in faces.Instances)
        {
            await new FaceDetector(instance).DetectAsync(Blank(FaceDetector.Size, FaceDetector.Size * 3 / 4), cancellationToken);
        }
        foreach (var instance in classifier.Instances)
        {
            await new ImageClassifier(instance, imageNet).ClassifyAsync([Blank(ImageClassifier.Resize * 4 / 3, ImageClassifier.Resize)], cancellationToken);
        }
        foreach (var instance in detector.Instances)
        {
            await new TextDetector(instance).DetectAsync(Blank(640, 480), cancellationToken);
        }
        foreach (var instance in angles.Instances)
        {
            await new TextAngleClassifier(instance).UpsideDownProbabilitiesAsync([line], cancellationToken);
        }
        foreach (var instance in recognizer.Model.Instances)
        {
            await recognizer.On(instance).RecognizeAsync([line], cancellationToken);
        }
    }

    public void Dispose()
    {
        _loaded?.Dispose();
        _gate.Dispose();
    }
}
