using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tsunami.Server.Api;

namespace Tsunami.Server.Tests;

/// <summary>Deleting photos and collections through the API: gone from every answer, files freed, bad requests named.</summary>
public sealed class DeletionTests(ApiServer server) : IClassFixture<ApiServer>
{
    private HttpClient Client(bool explicitClient = true)
    {
        var client = server.CreateClient();
        if (explicitClient)
        {
            client.DefaultRequestHeaders.Add("X-Requested-With", "tests");
        }
        return client;
    }

    private async Task<JsonElement> PutAsync(string collection, string name, byte[] photo)
    {
        using var response = await Client().PutAsync($"/api/assets?collection={collection}&name={name}", new ByteArrayContent(photo));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Protocol.JsonOf(response);
    }

    private async Task<string[]> FoundAsync(string question) =>
        [.. (await Protocol.JsonOf(await Client().GetAsync("/api/ask?q=" + Uri.EscapeDataString(question)))).GetProperty("results")
            .EnumerateArray().Select(r => r.GetProperty("id").GetString()!)];

    [Fact]
    public async Task A_deleted_photo_is_gone_from_every_answer_and_its_files_from_disk()
    {
        var id = (await PutAsync("field", "sign.png", TextPhotos.Sign("HIGH VOLTAGE 42"))).GetProperty("id").GetString()!;
        var detail = await Protocol.JsonOf(await Client().GetAsync($"/api/assets/{id}"));
        var blobs = detail.GetProperty("derived").EnumerateArray().Select(d => d.GetProperty("sha256").GetString()!).Append(detail.GetProperty("sha256").GetString()!).ToList();
        Assert.Contains(id, await FoundAsync("photos with the text HIGH VOLTAGE"));

        using var deleted = await Client().DeleteAsync($"/api/assets/{id}");
        var body = await Protocol.JsonOf(deleted);

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal((1, blobs.Count), (body.GetProperty("deletedAssets").GetInt32(), body.GetProperty("deletedFiles").GetInt32()));
        Assert.Equal(HttpStatusCode.NotFound, (await Client().GetAsync($"/api/assets/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client().GetAsync($"/api/assets/{id}/original")).StatusCode);
        Assert.DoesNotContain(id, await FoundAsync("photos with the text HIGH VOLTAGE"));
        Assert.All(blobs, hash => Assert.False(File.Exists(Path.Combine(server.Repository.DataDirectory, "blobs", hash[..2], hash[2..4], hash))));
        using var again = await Client().DeleteAsync($"/api/assets/{id}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains(id, (await Protocol.JsonOf(again)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_collection_takes_its_photos_and_leaves_the_others()
    {
        await PutAsync("scratch", "a.png", TestPhotos.Png(320, 240, 21));
        await PutAsync("scratch", "b.jpg", TestPhotos.Jpeg(320, 240, 22));
        var samples = await FoundAsync("photos in the samples collection");

        using var deleted = await Client().DeleteAsync("/api/collections/scratch");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(2, (await Protocol.JsonOf(deleted)).GetProperty("deletedAssets").GetInt32());
        var collections = (await Protocol.JsonOf(await Client().GetAsync("/api/collections"))).GetProperty("collections").EnumerateArray().Select(c => c.GetString());
        Assert.DoesNotContain("scratch", collections);
        Assert.Empty((await Protocol.JsonOf(await Client().GetAsync("/api/assets?collection=scratch"))).GetProperty("assets").EnumerateArray());
        Assert.Equal(samples.Order(), (await FoundAsync("photos in the samples collection")).Order());
        Assert.Equal(HttpStatusCode.NotFound, (await Client().DeleteAsync("/api/collections/scratch")).StatusCode);
    }

    [Theory]
    [InlineData("/api/assets/0123456789abcdef", true, HttpStatusCode.NotFound, "no asset has the id")]
    [InlineData("/api/assets/..%2F..%2Fetc", true, HttpStatusCode.NotFound, "ids are hexadecimal")]
    [InlineData("/api/collections/no-such-collection", true, HttpStatusCode.NotFound, "no collection is named 'no-such-collection'")]
    [InlineData("/api/collections/samples", false, HttpStatusCode.Forbidden, "X-Requested-With")]
    public async Task Bad_deletions_are_refused_with_what_is_wrong(string path, bool explicitClient, HttpStatusCode status, string message)
    {
        using var response = await Client(explicitClient).DeleteAsync(path);
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, (await Protocol.JsonOf(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("samples", (await Protocol.JsonOf(await Client().GetAsync("/api/collections"))).GetProperty("collections").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task While_an_ingest_writes_a_deletion_answers_409_and_deletes_nothing()
    {
        var id = (await PutAsync("busy", "c.png", TestPhotos.Png(200, 150, 23))).GetProperty("id").GetString()!;
        var jobs = server.Services.GetRequiredService<IngestJobs>();
        await jobs.Writer.WaitAsync();
        try
        {
            using var refused = await Client().DeleteAsync($"/api/assets/{id}");
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("retry the deletion", (await Protocol.JsonOf(refused)).GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            jobs.Writer.Release();
        }
        Assert.Equal(HttpStatusCode.OK, (await Client().GetAsync($"/api/assets/{id}")).StatusCode);
    }
}
