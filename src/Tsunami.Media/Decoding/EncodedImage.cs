namespace Tsunami.Media.Decoding;

public sealed record EncodedImage(byte[] Content, string MediaType, int Width, int Height);
