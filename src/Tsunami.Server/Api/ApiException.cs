namespace Tsunami.Server.Api;

/// <summary>A refusal of the REST API, with the status it deserves and a message naming what was wrong.</summary>
internal sealed class ApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
