using System.Diagnostics;
using Tsunami.Core.Enrichment;
using Tsunami.Core.Imaging;
using Tsunami.Core.Storage;
using Tsunami.Engine.Clip;
using Tsunami.Inference;
using Tsunami.Inference.Vision;
using Tsunami.Media.Analysis;
using Tsunami.Media.Decoding;

namespace Tsunami.Engine.Enrichment;

/// <summary>A photo ready for the models: its work item and its upright pixels at each size a model wants.</summary>
internal sealed record EnrichmentInput(EnrichmentWork Work, PhotoViews Views);

/// <summary>Runs the requested stages over a batch of decoded photos; a stage that fails on a photo fails only there.</summary>
internal sealed class PhotoEnricher(VisionModelSet models, ClipStage? clip, QualityAnalyzer quality, EnrichmentClock clock, InferenceOptions options)
{
    private static readonly ViewSize ObjectsView = ViewSize.Longer(ObjectDetector.Size);
    private static readonly ViewSize FacesView = ViewSize.Longer(FaceDetector.Size);
    private static readonly ViewSize LabelsView = ViewSize.Shorter(ImageClassifier.Resize);
    private ViewSize TextView => TextViewOf(options);
    private ViewSize? GateView => GateViewOf(options);

    private static ViewSize TextViewOf(InferenceOptions options) => ViewSize.Longer(options.TextDetectionMaxSide);
    private static ViewSize? GateViewOf(InferenceOptions options) => options.TextGateMaxSide > 0 ? ViewSize.Longer(options.TextGateMaxSide) : null;

    /// <inheritdoc cref="UpFront"/>
    public IReadOnlyList<ViewSize> Views => UpFront(options, clip?.View);

    /// <summary>
    /// The sizes every photo is read at, made up front from one decode (quality reads the faces view). The text
    /// detector's larger view is made only when the gate finds text: most photos never need it (and a stored JPEG
    /// can then be decoded shrunk, PhotoProcessor.OpenViews).
    /// </summary>
    internal static IReadOnlyList<ViewSize> UpFront(InferenceOptions options, ViewSize? clipView) =>
        [ObjectsView, FacesView, LabelsView, GateViewOf(options) ?? TextViewOf(options), .. clipView is { } clip ? [clip] : Array.Empty<ViewSize>()];

    private const float MinimumLabelScore = 0.05f;
    private const int MaxConcepts = 48;

    /// <summary>Stage → version: the stage's own revision and the tags of the model files it uses.</summary>
    /// <summary>The clip stage is there only when a CLIP model set is installed.</summary>
    public static IReadOnlyDictionary<string, string> Versions(VisionModelSet models, ClipStage? clip)
    {
        var tags = models.Tags;
        var versions = new Dictionary<string, string>
        {
            [EnrichmentStage.Objects] = $"1/{tags["yolox-nano"]}",
            // Labels' semantic vector reads the objects' words; faces are looked for where the objects show a person.
            [EnrichmentStage.Labels] = $"2/{tags["mobilenetv2"]}+{tags["yolox-nano"]}+{tags["wordnet-nouns"]}+{tags["glove-100d"]}",
            [EnrichmentStage.Faces] = $"1/{tags["yunet"]}+{tags["yolox-nano"]}",
            [EnrichmentStage.Text] = $"1/{tags["ppocr-det"]}+{tags["ppocr-cls"]}+{tags["ppocr-rec"]}",
            [EnrichmentStage.Quality] = "1",
        };
        if (clip is not null)
        {
            versions[EnrichmentStage.Clip] = clip.Version;
        }
        return versions;
    }

    public async Task<IReadOnlyList<AssetEnrichment>> EnrichAsync(IReadOnlyList<EnrichmentInput> photos, IReadOnlyDictionary<string, string> versions, CancellationToken cancellationToken)
    {
        var labels = await RunLabelsAsync(photos.Where(p => p.Work.Stages.Contains(EnrichmentStage.Labels)).ToList(), cancellationToken);
        var clipped = await RunClipAsync(photos.Where(p => p.Work.Stages.Contains(EnrichmentStage.Clip)).ToList(), cancellationToken);
        var enriched = new List<AssetEnrichment>(photos.Count);
        foreach (var photo in photos)
        {
            enriched.Add(await EnrichOneAsync(photo, versions, labels, clipped, cancellationToken));
        }
        return enriched;
    }

    private async Task<AssetEnrichment> EnrichOneAsync(EnrichmentInput photo, IReadOnlyDictionary<string, string> versions,
        Dictionary<EnrichmentInput, Result<Classification>> labels, Dictionary<EnrichmentInput, Result<ClipFindings>> clipped, CancellationToken cancellationToken)
    {
        var stages = photo.Work.Stages;
        var errors = new Dictionary<string, string>();
        // Boxes are found on a view and stored in the original's upright pixels.
        float ScaleOf(ViewSize view) => (float)photo.Work.Width / photo.Views[view].Width;

        async Task<T?> Run<T>(string stage, Func<Task<T>> run, bool needed = false) where T : class
        {
            if (!stages.Contains(stage) && !needed)
            {
                return null;
            }
            var watch = Stopwatch.StartNew();
            try
            {
                return await run();
            }
            catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
            {
                errors[stage] = $"{stage} failed: {e.Message}";
                return null;
            }
            finally
            {
                clock.Add(stage, watch.Elapsed);
            }
        }

        // The labels stage's semantic vector reads the objects' words, and faces are looked for where a person is: the
        // objects are found for those stages too, and stored only when their own stage was asked for.
        var objects = await Run(EnrichmentStage.Objects, async () => (await models.Objects.DetectAsync(photo.Views[ObjectsView], cancellationToken))
            .Select(o => o with { Box = o.Box.Scale(ScaleOf(ObjectsView)) }).ToList(),
            needed: stages.Contains(EnrichmentStage.Labels) || (stages.Contains(EnrichmentStage.Faces) && options.FacesOnlyWithPeople));
        if (errors.TryGetValue(EnrichmentStage.Objects, out var objectsError))
        {
            if (stages.Contains(EnrichmentStage.Labels))
            {
                errors[EnrichmentStage.Labels] = $"labels failed: its semantic vector reads the objects, and {objectsError}";
            }
            if (!stages.Contains(EnrichmentStage.Objects))
            {
                errors.Remove(EnrichmentStage.Objects);
            }
        }
        var faces = await Run(EnrichmentStage.Faces, async () => options.FacesOnlyWithPeople && objects is not null && !objects.Any(o => o.Label == "person")
            ? []
            : (await models.Faces.DetectAsync(photo.Views[FacesView], cancellationToken))
                .Select(f => f with { Box = f.Box.Scale(ScaleOf(FacesView)), Landmarks = [.. f.Landmarks.Select(v => v * ScaleOf(FacesView))] }).ToList());
        var text = await Run(EnrichmentStage.Text, async () => (await models.Text.ReadAsync(photo.Views.Deferred(TextView), GateView is { } gate ? photo.Views[gate] : null, cancellationToken))
            .Select(t => t with { Quad = [.. t.Quad.Select(v => v * ScaleOf(TextView))] }).ToList());
        var report = await Run(EnrichmentStage.Quality, () => Task.FromResult(quality.Analyze(photo.Views[FacesView], photo.Work.Width, photo.Work.Height)));
        Classification? classification = null;
        if (labels.TryGetValue(photo, out var labelled))
        {
            if (labelled.Error is { } error)
            {
                errors[EnrichmentStage.Labels] = error;
            }
            classification = labelled.Value;
        }
        ClipFindings? clipFindings = null;
        if (clipped.TryGetValue(photo, out var clipResult))
        {
            if (clipResult.Error is { } error)
            {
                errors[EnrichmentStage.Clip] = error;
            }
            clipFindings = clipResult.Value;
        }

        return new AssetEnrichment(photo.Work.Asset)
        {
            Versions = stages.ToDictionary(s => s, s => versions[s]),
            Errors = errors,
            Objects = stages.Contains(EnrichmentStage.Objects) ? objects : null,
            Faces = faces,
            Text = text,
            Quality = report,
            Labels = classification?.Labels.Where(l => l.Score >= MinimumLabelScore).ToList(),
            Concepts = classification is null ? null : Generalise(classification.Labels),
            Embedding = classification?.Embedding,
            Semantic = classification is null ? null : models.Semantic.EmbedConcepts(
                classification.Labels.Where(l => l.Score >= MinimumLabelScore).Select(l => (l.Name, l.Score))
                    .Concat((objects ?? []).GroupBy(o => o.Label).Select(g => (g.Key, g.Max(o => o.Score))))),
            Clip = clipFindings?.Vector,
            ZeroShot = clipFindings?.Labels,
        };
    }

    /// <summary>The photos' CLIP vectors, all sent at once so that the served model's batcher merges them.</summary>
    private async Task<Dictionary<EnrichmentInput, Result<ClipFindings>>> RunClipAsync(List<EnrichmentInput> photos, CancellationToken cancellationToken)
    {
        var results = new Dictionary<EnrichmentInput, Result<ClipFindings>>();
        if (photos.Count == 0 || clip is null)
        {
            return results;
        }
        var watch = Stopwatch.StartNew();
        try
        {
            var found = await clip.RunAsync([.. photos.Select(p => p.Views[clip.View])], cancellationToken);
            for (var i = 0; i < photos.Count; i++)
            {
                results[photos[i]] = new Result<ClipFindings>(new ClipFindings(found[i].Vector, found[i].Labels), null);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            foreach (var photo in photos)
            {
                results[photo] = new Result<ClipFindings>(null, $"clip failed: {e.Message}");
            }
        }
        clock.Add(EnrichmentStage.Clip, watch.Elapsed);
        return results;
    }

    private sealed record ClipFindings(float[] Vector, IReadOnlyList<ZeroShotLabel> Labels);

    private async Task<Dictionary<EnrichmentInput, Result<Classification>>> RunLabelsAsync(List<EnrichmentInput> photos, CancellationToken cancellationToken)
    {
        var results = new Dictionary<EnrichmentInput, Result<Classification>>();
        if (photos.Count == 0)
        {
            return results;
        }
        var watch = Stopwatch.StartNew();
        try
        {
            var classified = await models.Classifier.ClassifyAsync(photos.Select(p => p.Views[LabelsView]).ToList(), cancellationToken);
            for (var i = 0; i < photos.Count; i++)
            {
                results[photos[i]] = new Result<Classification>(classified[i], null);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            foreach (var photo in photos)
            {
                results[photo] = new Result<Classification>(null, $"labels failed: {e.Message}");
            }
        }
        clock.Add(EnrichmentStage.Labels, watch.Elapsed);
        return results;
    }

    /// <summary>Each label and every WordNet generalisation of it, scored by the most probable label implying it.</summary>
    private List<Concept> Generalise(IReadOnlyList<ImageLabel> labels)
    {
        var concepts = new Dictionary<string, Concept>(StringComparer.Ordinal);
        foreach (var label in labels.Where(l => l.Score >= MinimumLabelScore))
        {
            foreach (var synset in models.WordNet.Ancestors(label.Synset).Prepend(models.WordNet.Read(label.Synset)))
            {
                if (!concepts.TryGetValue(synset.Id, out var known) || known.Score < label.Score)
                {
                    concepts[synset.Id] = new Concept(synset.Name, synset.Id, label.Score);
                }
            }
        }
        return concepts.Values.OrderByDescending(c => c.Score).Take(MaxConcepts).ToList();
    }

    private sealed record Result<T>(T? Value, string? Error) where T : class;
}
