using Microsoft.Extensions.Options;
using Tsunami.Core.Assets;
using Tsunami.Storage.Blobs;

namespace Tsunami.Storage.Tests;

public sealed class FileBlobStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FileBlobStore _blobs;

    public FileBlobStoreTests() => _blobs = new FileBlobStore(new DataDirectory(_temp.Path), Options.Create(new StorageOptions()));

    [Fact]
    public async Task A_blob_is_stored_under_its_hash_and_read_back()
    {
        byte[] content = [1, 2, 3, 4, 5];
        var hash = ContentHash.Of(content);

        await _blobs.PutAsync(hash, content, CancellationToken.None);

        Assert.True(_blobs.Exists(hash));
        Assert.Equal(5, _blobs.SizeOf(hash));
        await using var stream = _blobs.OpenRead(hash);
        var read = new byte[10];
        Assert.Equal(5, await stream.ReadAsync(read));
        Assert.Equal(content, read[..5]);
        Assert.EndsWith(Path.Combine(hash.Hex[..2], hash.Hex[2..4], hash.Hex), _blobs.PathOf(hash), StringComparison.Ordinal);
        Assert.Equal([hash], _blobs.EnumerateAll());
    }

    [Fact]
    public async Task Storing_the_same_blob_twice_keeps_one_file()
    {
        byte[] content = [9, 9, 9];
        var hash = ContentHash.Of(content);
        await _blobs.PutAsync(hash, content, CancellationToken.None);
        await _blobs.PutAsync(hash, content, CancellationToken.None);
        Assert.Single(_blobs.EnumerateAll());
    }

    [Fact]
    public async Task Unfinished_writes_are_found_and_deleted_but_blobs_are_kept()
    {
        byte[] content = [7];
        var hash = ContentHash.Of(content);
        await _blobs.PutAsync(hash, content, CancellationToken.None);
        var leftover = _blobs.PathOf(hash) + ".tmp-0123";
        File.WriteAllBytes(leftover, [1, 2]);

        Assert.Equal(1, _blobs.DeleteUnfinishedWrites());

        Assert.False(File.Exists(leftover));
        Assert.True(_blobs.Exists(hash));
        Assert.Equal([hash], _blobs.EnumerateAll());
    }

    [Fact]
    public async Task A_cancelled_write_leaves_no_file()
    {
        var content = new byte[1 << 20];
        var hash = ContentHash.Of(content);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _blobs.PutAsync(hash, content, cancelled.Token));

        Assert.False(_blobs.Exists(hash));
        Assert.Empty(Directory.EnumerateFiles(_temp.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Flushing_makes_blobs_durable_without_adding_blobs()
    {
        byte[] content = [3, 1, 4];
        await _blobs.PutAsync(ContentHash.Of(content), content, CancellationToken.None);
        _blobs.Flush();
        _blobs.Flush();
        Assert.Equal([ContentHash.Of(content)], _blobs.EnumerateAll());
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_temp.Path, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_missing_blob_is_a_file_not_found() =>
        Assert.Throws<FileNotFoundException>(() => _blobs.OpenRead(ContentHash.Of([42])));

    public void Dispose() => _temp.Dispose();
}
