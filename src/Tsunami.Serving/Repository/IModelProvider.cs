namespace Tsunami.Serving.Repository;

/// <summary>Models that other parts of Tsunami add to the repository (e.g. an installed CLIP model set).</summary>
public interface IModelProvider
{
    /// <summary>The names this provider serves now.</summary>
    IReadOnlyList<string> Names();

    /// <summary>The model's location, or null when this provider does not serve the name.</summary>
    /// <exception cref="InvalidDataException">The provider serves the name but its files are wrong.</exception>
    ModelLocation? Locate(string name);
}
