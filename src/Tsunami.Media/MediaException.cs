namespace Tsunami.Media;

/// <summary>A file that cannot be read as a photo; the message is one line a user can act on.</summary>
public sealed class MediaException(string message, Exception? inner = null) : Exception(message, inner);
