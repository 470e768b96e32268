using Microsoft.AspNetCore.Http.Features;
using Tsunami.Serving;
using Tsunami.Serving.Runtime;

namespace Tsunami.Server.Inference;

/// <summary>
/// The Open Inference Protocol (KServe v2) over HTTP/REST: server and model health and metadata, inference with
/// JSON or binary tensors, and Triton's model repository extension (index, load, unload).
/// </summary>
internal static class OpenInferenceEndpoints
{
    public static readonly string[] Extensions = ["binary_tensor_data", "model_repository"];

    public static IEndpointRouteBuilder MapOpenInference(this IEndpointRouteBuilder routes)
    {
        var v2 = routes.MapGroup("/v2").RequireAuthorization(Security.SecurityServiceCollectionExtensions.ReadPolicy);
        v2.MapGet("", () => Results.Json(new
        {
            name = "tsunami",
            version = typeof(OpenInferenceEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            extensions = Extensions,
        }));
        v2.MapGet("/health/live", () => Results.Ok()).AllowAnonymous();
        v2.MapGet("/health/ready", (ModelRuntime runtime) => runtime.Ready ? Results.Ok() : Results.BadRequest()).AllowAnonymous();

        foreach (var prefix in new[] { "/models/{name}", "/models/{name}/versions/{version}" })
        {
            v2.MapGet(prefix, (ModelRuntime runtime, string name, string? version) => Results.Json(Metadata(runtime.Get(name, version).Metadata)));
            v2.MapGet(prefix + "/ready", (ModelRuntime runtime, string name, string? version) => Ready(runtime, name, version) ? Results.Ok() : Results.BadRequest());
            v2.MapGet(prefix + "/config", (ModelRuntime runtime, string name, string? version) =>
                Results.Text(runtime.Get(name, version).Config.ToJson(), "application/json"));
            v2.MapPost(prefix + "/infer", InferAsync);
        }

        v2.MapPost("/repository/index", (ModelRuntime runtime) =>
            Results.Json(runtime.Index().Select(s => new { name = s.Name, version = s.Version, state = s.State, reason = s.Reason })));
        v2.MapPost("/repository/models/{name}/load", async (ModelRuntime runtime, string name, CancellationToken cancellationToken) =>
        {
            await runtime.LoadAsync(name, cancellationToken);
            return Results.Ok();
        }).RequireAuthorization(Security.SecurityServiceCollectionExtensions.AdminPolicy);
        v2.MapPost("/repository/models/{name}/unload", async (ModelRuntime runtime, string name, CancellationToken cancellationToken) =>
            await runtime.UnloadAsync(name, cancellationToken)
                ? Results.Ok()
                : throw new InferenceException(InferenceError.NotFound, $"model '{name}' is not loaded"))
            .RequireAuthorization(Security.SecurityServiceCollectionExtensions.AdminPolicy);
        return routes;
    }

    private static bool Ready(ModelRuntime runtime, string name, string? version)
    {
        try
        {
            runtime.Get(name, version);
            return true;
        }
        catch (InferenceException e) when (e.Error == InferenceError.Unavailable)
        {
            return false;
        }
    }

    private static object Metadata(ModelMetadata metadata) => new
    {
        name = metadata.Name,
        versions = metadata.Versions,
        platform = metadata.Platform,
        inputs = metadata.Inputs.Select(i => new { name = i.Name, datatype = i.DataType, shape = i.Shape }),
        outputs = metadata.Outputs.Select(o => new { name = o.Name, datatype = o.DataType, shape = o.Shape }),
    };

    private static async Task InferAsync(HttpContext context, ModelRuntime runtime, string name, string? version)
    {
        var model = runtime.Get(name, version);
        var body = await ReadBodyAsync(context);
        long? headerLength = null;
        if (context.Request.Headers.TryGetValue(InferRequestReader.HeaderLength, out var header))
        {
            headerLength = long.TryParse(header, out var length)
                ? length
                : throw new InferenceException(InferenceError.BadRequest, $"{InferRequestReader.HeaderLength} '{header}' is not a number");
        }
        var parsed = InferRequestReader.Read(body, headerLength);
        var response = await model.InferAsync(parsed.Request, context.RequestAborted);
        await InferResponseWriter.WriteAsync(context.Response, response, parsed.BinaryOutputs, parsed.BinaryOutputNames, context.RequestAborted);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (context.Request.ContentLength is { } length && limit is { } max && length > max)
        {
            throw new BadHttpRequestException($"{length} bytes, at most {max}", StatusCodes.Status413PayloadTooLarge);
        }
        if (context.Request.ContentLength is { } known)
        {
            // Read straight into one array of the announced size: the tensors are sliced from it, never copied.
            var body = new byte[known];
            await context.Request.Body.ReadExactlyAsync(body, context.RequestAborted);
            return body;
        }
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }
}
