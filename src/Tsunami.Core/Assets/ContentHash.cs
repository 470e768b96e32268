using System.Security.Cryptography;

namespace Tsunami.Core.Assets;

/// <summary>The SHA-256 of a blob's bytes, as 64 lower-case hex digits: the blob's address.</summary>
public readonly record struct ContentHash
{
    private ContentHash(string hex) => Hex = hex;

    public string Hex { get; }

    public static ContentHash Of(ReadOnlySpan<byte> bytes) => new(Convert.ToHexStringLower(SHA256.HashData(bytes)));

    public static bool TryParse(string? text, out ContentHash hash)
    {
        hash = default;
        if (text is not { Length: 64 } || !text.All(char.IsAsciiHexDigitLower))
        {
            return false;
        }
        hash = new ContentHash(text);
        return true;
    }

    public static ContentHash Parse(string text) =>
        TryParse(text, out var hash) ? hash : throw new FormatException($"'{text}' is not a SHA-256 hex digest.");

    public override string ToString() => Hex;
}
