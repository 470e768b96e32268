namespace Tsunami.Server;

/// <summary>What `tsunami serve` decides: where to listen (REST on Port, gRPC on GrpcPort) and which data folder to serve.</summary>
public sealed record ServerSettings(string Host = "127.0.0.1", int Port = 8000, int? GrpcPort = 8001, string? DataDirectory = null)
{
    public string Url => $"http://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";
}
