using Microsoft.Extensions.Options;
using Tsunami.Core.Imaging;
using Tsunami.Serving.Runtime;

namespace Tsunami.Engine.Clip;

/// <summary>
/// The installed CLIP model set, opened once per process through the serving runtime: its towers loaded (or taken
/// as the server loaded them), their signatures checked, and one photo and one text embedded to check that both
/// land in one space.
/// </summary>
public sealed class ClipModels(ClipInstallation installation, ModelRuntime runtime, IOptions<ClipOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ClipModel? _loaded;

    /// <returns>Null when no CLIP model set is installed (looked for again on every call until one is).</returns>
    /// <exception cref="InvalidDataException">The installed set is broken; the message names what is wrong.</exception>
    public async Task<ClipModel?> GetAsync(CancellationToken cancellationToken)
    {
        if (_loaded is not null)
        {
            return _loaded;
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

    /// <summary>The clip enrichment stage of the installed set (its zero-shot prompts embedded), or null when none is installed.</summary>
    /// <exception cref="InvalidDataException">The installed set is broken.</exception>
    public async Task<ClipStage?> StageAsync(CancellationToken cancellationToken) =>
        await GetAsync(cancellationToken) is { } model ? await ClipStage.CreateAsync(model, options.Value, cancellationToken) : null;

    private async Task<ClipModel?> LoadAsync(CancellationToken cancellationToken)
    {
        if (installation.Active() is not { } folder)
        {
            return null;
        }
        var tokenizer = folder.LoadTokenizer();
        var visual = await runtime.GetOrLoadAsync(ClipServedModels.Visual, cancellationToken);
        var textual = await runtime.GetOrLoadAsync(ClipServedModels.Textual, cancellationToken);
        var model = new ClipModel(runtime, folder, tokenizer,
            ClipSignature.ForImages(visual, folder.Preprocessing.Size), ClipSignature.ForText(textual, tokenizer.ContextLength), options.Value.Prompt);
        var size = folder.Preprocessing.Size;
        var image = (await model.EmbedImagesAsync([new RgbImage(size, size, Enumerable.Repeat((byte)128, size * size * 3).ToArray())], cancellationToken))[0];
        var text = await model.EmbedThingAsync("a thing", cancellationToken);
        if (image.Length != text.Length)
        {
            throw new InvalidDataException($"{folder.Folder}: the image tower gives vectors of {image.Length} and the text tower of {text.Length}: they are not one space");
        }
        model.Dimension = image.Length;
        return model;
    }

    public void Dispose() => _gate.Dispose();
}
