using Tsunami.Core.Assets;

namespace Tsunami.Core.Storage;

/// <summary>Content-addressed bytes: a blob is stored under the SHA-256 of its content and never changes.</summary>
public interface IBlobStore
{
    /// <summary>Stores the bytes atomically (all or nothing); storing a blob that exists is a no-op.</summary>
    Task PutAsync(ContentHash hash, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Makes every blob stored so far durable (survives a power cut); call before committing rows that name them.</summary>
    void Flush();

    bool Exists(ContentHash hash);

    /// <exception cref="FileNotFoundException">No blob has this hash.</exception>
    Stream OpenRead(ContentHash hash);

    long SizeOf(ContentHash hash);

    void Delete(ContentHash hash);

    IEnumerable<ContentHash> EnumerateAll();

    /// <summary>Removes the temporary files of writes that never finished; returns how many.</summary>
    int DeleteUnfinishedWrites();
}
