namespace Tsunami.Storage;

public sealed class StoreBusyException(string message, Exception? inner = null) : Exception(message, inner);
