namespace Tsunami.Core.Assets;

/// <summary>Files made from an original and kept beside it in the blob store.</summary>
public enum DerivedKind
{
    Thumbnail,
    Preview,

    /// <summary>The thumbnail with every detected face blurred: what read-only users are served.</summary>
    PrivateThumbnail,
}
