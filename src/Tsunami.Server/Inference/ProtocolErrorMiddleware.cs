using Tsunami.Inference.Onnx;
using Tsunami.Inference.Repository;
using Tsunami.Serving;

namespace Tsunami.Server.Inference;

/// <summary>
/// Turns every refusal into the protocol's error shape, {"error": "..."}, with the status its cause deserves; an
/// overloaded model answers 503 with Retry-After. The process keeps serving whatever one request did.
/// </summary>
internal sealed partial class ProtocolErrorMiddleware(RequestDelegate next, ILogger<ProtocolErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && Classify(e) is var (status, message))
        {
            if (status >= 500 && e is not InferenceException)
            {
                LogUnexpected(context.Request.Path, e);
            }
            context.Response.Clear();
            context.Response.StatusCode = status;
            if (e is InferenceException { RetryAfter: { } retry })
            {
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            await context.Response.WriteAsJsonAsync(new { error = message });
        }
    }

    private static (int Status, string Message)? Classify(Exception e) => e switch
    {
        InferenceException inference => (inference.Error switch
        {
            InferenceError.BadRequest => StatusCodes.Status400BadRequest,
            InferenceError.NotFound => StatusCodes.Status404NotFound,
            InferenceError.Overloaded or InferenceError.Unavailable => StatusCodes.Status503ServiceUnavailable,
            InferenceError.Timeout => StatusCodes.Status504GatewayTimeout,
            _ => StatusCodes.Status500InternalServerError,
        }, inference.Message),
        BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
            (StatusCodes.Status413PayloadTooLarge, $"the request body is larger than the server accepts ({bad.Message})"),
        BadHttpRequestException bad => (bad.StatusCode, bad.Message),
        KeyNotFoundException notFound => (StatusCodes.Status404NotFound, notFound.Message),
        Api.ApiException api => (api.Status, api.Message),
        Storage.StoreBusyException => (StatusCodes.Status409Conflict, e.Message),
        Query.Parsing.QuestionException or Storage.AmbiguousAssetException => (StatusCodes.Status400BadRequest, e.Message),
        ModelLoadException or InvalidDataException or ModelUnavailableException => (StatusCodes.Status400BadRequest, e.Message),
        OperationCanceledException => null,
        _ => (StatusCodes.Status500InternalServerError, $"internal error: {e.Message}"),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {Path} failed")]
    private partial void LogUnexpected(PathString path, Exception exception);
}
