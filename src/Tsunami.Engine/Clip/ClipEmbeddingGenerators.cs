using Microsoft.Extensions.AI;
using Tsunami.Media.Decoding;

namespace Tsunami.Engine.Clip;

/// <summary>Texts into the installed CLIP model's space, as Microsoft.Extensions.AI's embedding generator.</summary>
public sealed class ClipTextEmbeddingGenerator(ClipModels models) : IEmbeddingGenerator<string, Embedding<float>>
{
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = await ClipEmbeddings.RequireAsync(models, cancellationToken);
        var vectors = await model.EmbedTextsAsync([.. values], cancellationToken);
        return ClipEmbeddings.Of(vectors, model);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => ClipEmbeddings.Service(this, models, serviceType, serviceKey);

    public void Dispose()
    {
    }
}

/// <summary>Images (encoded bytes: JPEG, PNG, WebP…) into the installed CLIP model's space, as an embedding generator.</summary>
public sealed class ClipImageEmbeddingGenerator(ClipModels models, PhotoProcessor photos) : IEmbeddingGenerator<DataContent, Embedding<float>>
{
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<DataContent> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = await ClipEmbeddings.RequireAsync(models, cancellationToken);
        var views = values.Select(value => photos.DecodeViews(value.Data.ToArray(), [model.View])[0]).ToList();
        return ClipEmbeddings.Of(await model.EmbedImagesAsync(views, cancellationToken), model);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => ClipEmbeddings.Service(this, models, serviceType, serviceKey);

    public void Dispose()
    {
    }
}

internal static class ClipEmbeddings
{
    public static async Task<ClipModel> RequireAsync(ClipModels models, CancellationToken cancellationToken) =>
        await models.GetAsync(cancellationToken)
        ?? throw new InvalidOperationException("no CLIP model set is installed: run 'tsunami models pull NAME' or 'tsunami models add FOLDER'");

    public static GeneratedEmbeddings<Embedding<float>> Of(float[][] vectors, ClipModel model) =>
        new(vectors.Select(v => new Embedding<float>(v) { ModelId = model.Folder.Name, CreatedAt = DateTimeOffset.UtcNow }));

    public static object? Service(object generator, ClipModels models, Type serviceType, object? serviceKey)
    {
        if (serviceKey is not null)
        {
            return null;
        }
        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            var model = models.GetAsync(CancellationToken.None).GetAwaiter().GetResult();
            return new EmbeddingGeneratorMetadata("tsunami-clip", null, model?.Folder.Name, model?.Dimension);
        }
        return serviceType.IsInstanceOfType(generator) ? generator : null;
    }
}
