namespace Tsunami.Core.Assets;

/// <summary>Files made from an original and kept beside it in the blob store.</summary>
public enum DerivedKind
{
    Thumbnail,
    Preview,
}
