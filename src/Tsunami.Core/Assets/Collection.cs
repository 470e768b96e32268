namespace Tsunami.Core.Assets;

public sealed record Collection(long Id, string Name, DateTimeOffset CreatedAt);
