namespace Tsunami.Serving;

public enum InferenceError
{
    /// <summary>The request is wrong: a field, name, data type, shape or size (HTTP 400).</summary>
    BadRequest,

    /// <summary>No such model or version is loaded (HTTP 404).</summary>
    NotFound,

    /// <summary>The model's queue is full: retry later (HTTP 503 with Retry-After).</summary>
    Overloaded,

    /// <summary>The request waited longer than its timeout (HTTP 504).</summary>
    Timeout,

    /// <summary>The model failed on this request (HTTP 500); other requests are not affected.</summary>
    ModelFailed,

    /// <summary>The model is not ready: loading, unloading or failed to load (HTTP 503).</summary>
    Unavailable,
}

/// <summary>A request the runtime could not serve, with a message that names the model, field or limit.</summary>
public sealed class InferenceException(InferenceError error, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    public InferenceError Error { get; } = error;

    /// <summary>For <see cref="InferenceError.Overloaded"/>: how long a caller should wait before retrying.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
