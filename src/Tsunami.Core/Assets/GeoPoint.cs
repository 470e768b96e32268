namespace Tsunami.Core.Assets;

public readonly record struct GeoPoint(double Latitude, double Longitude);
