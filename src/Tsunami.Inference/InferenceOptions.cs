using System.ComponentModel.DataAnnotations;

namespace Tsunami.Inference;

/// <summary>How ONNX Runtime runs the models. Section "Inference" of the configuration.</summary>
public sealed class InferenceOptions
{
    public const string Section = "Inference";

    /// <summary>cpu, cuda or openvino. A provider this build or machine lacks falls back to cpu with a warning.</summary>
    [RegularExpression("^(cpu|cuda|openvino)$")]
    public string ExecutionProvider { get; set; } = "cpu";

    /// <summary>
    /// Threads inside one model call; 0 shares the cores out between a served model's instances (one thread each on
    /// two cores, where ingest runs one photo per core) and gives a session of the pipeline's own one thread.
    /// </summary>
    [Range(0, 256)]
    public int IntraOpThreads { get; set; }

    /// <summary>Longest side of the image the text detector sees: PaddleOCR's default 960 reads small text, smaller is faster.</summary>
    [Range(64, 4096)]
    public int TextDetectionMaxSide { get; set; } = 960;

    /// <summary>Longest side of the quick look for any text first, skipping the full detection where there is none; 0 turns it off.</summary>
    [Range(0, 4096)]
    public int TextGateMaxSide { get; set; } = 320;

    /// <summary>
    /// Look for faces only in photos where the object detector found a person (YuNet's fixed 640 px input is the
    /// second most costly stage, and most inspection photos show no one). Off: every photo.
    /// </summary>
    public bool FacesOnlyWithPeople { get; set; } = true;

    /// <summary>
    /// Photos `enrich` handles together, and sends in one call to a model that takes a batch (the classifier). Ingest
    /// enriches each photo as its worker decodes it.
    /// </summary>
    [Range(1, 256)]
    public int BatchSize { get; set; } = 8;
}
