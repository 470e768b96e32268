namespace Tsunami.Storage;

public sealed class AmbiguousAssetException(string message) : Exception(message);
