namespace Tsunami.Core.Storage;

public sealed record StoreStatistics(
    IReadOnlyList<CollectionStatistics> Collections,
    long Assets,
    long OriginalBytes,
    long DerivedBytes,
    long NearDuplicateLinks,
    long IngestJobs,
    long IngestErrors);

public sealed record CollectionStatistics(string Name, long Assets, long OriginalBytes);
