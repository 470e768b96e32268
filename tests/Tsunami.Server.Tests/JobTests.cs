using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Tsunami.Server.Tests;

/// <summary>Ingest jobs over server folders: started, followed to the end, cancelled, refused with reasons.</summary>
public sealed class JobTests(ApiServer server) : IClassFixture<ApiServer>, IDisposable
{
    private readonly TempDirectory _temp = new();

    private HttpClient Client()
    {
        var client = server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Requested-With", "tests");
        return client;
    }

    private async Task<JsonElement> WaitForEndAsync(HttpClient client, string id)
    {
        for (var attempt = 0; attempt < 1200; attempt++)
        {
            var job = await Protocol.JsonOf(await client.GetAsync($"/api/jobs/{id}"));
            if (job.GetProperty("status").GetString() is not ("queued" or "running"))
            {
                return job;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"job {id} did not end within two minutes");
    }

    [Fact]
    public async Task A_job_ingests_a_server_folder_and_reports_what_it_did()
    {
        var client = Client();
        using var started = await client.PostAsJsonAsync("/api/jobs", new { sources = new[] { Path.Combine(RepositoryPaths.Samples, "darknet") }, collection = "imports", tags = new { crew = "b" } });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await Protocol.JsonOf(started)).GetProperty("id").GetString()!;

        var job = await WaitForEndAsync(client, id);

        var photos = Directory.GetFiles(Path.Combine(RepositoryPaths.Samples, "darknet")).Length;
        Assert.Equal(("completed", photos, 0), (job.GetProperty("status").GetString(), job.GetProperty("ingested").GetInt32(), job.GetProperty("failed").GetInt32()));
        Assert.Contains(id, (await Protocol.JsonOf(await client.GetAsync("/api/jobs"))).GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()));
        var answer = await Protocol.JsonOf(await client.GetAsync("/api/ask?q=" + Uri.EscapeDataString("photos with a giraffe in the imports collection")));
        Assert.Equal("imports", answer.GetProperty("results")[0].GetProperty("collection").GetString());
    }

    [Fact]
    public async Task A_running_job_can_be_cancelled()
    {
        var folder = Directory.CreateDirectory(_temp.Combine("many")).FullName;
        for (var i = 0; i < 40; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(folder, $"p{i:00}.jpg"), TestPhotos.Jpeg(1200, 900, seed: 100 + i));
        }
        var client = Client();
        using var started = await client.PostAsJsonAsync("/api/jobs", new { sources = new[] { folder }, collection = "cancelled" });
        var id = (await Protocol.JsonOf(started)).GetProperty("id").GetString()!;

        using var cancelled = await client.DeleteAsync($"/api/jobs/{id}");
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        var job = await WaitForEndAsync(client, id);

        Assert.Equal("cancelled", job.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("""{ "sources": [] }""", HttpStatusCode.BadRequest, "sources: name one or more folders or files on the server")]
    [InlineData("""{ "sources": ["relative/folder"] }""", HttpStatusCode.BadRequest, "sources: 'relative/folder' is not an absolute path on the server")]
    [InlineData("""{ "sources": ["/no/such/folder"] }""", HttpStatusCode.BadRequest, "sources: '/no/such/folder' does not exist on the server")]
    [InlineData("""{ "sources": "/tmp" }""", HttpStatusCode.BadRequest, "Failed to read parameter")]
    [InlineData("""{ "sources": [ """, HttpStatusCode.BadRequest, "Failed to read parameter")]
    public async Task Bad_job_requests_are_refused_with_what_is_wrong(string body, HttpStatusCode status, string message)
    {
        using var response = await Client().PostAsync("/api/jobs", Protocol.Json(body));
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_job_is_404()
    {
        using var response = await Client().GetAsync("/api/jobs/0123456789ab");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no ingest job '0123456789ab'", (await Protocol.JsonOf(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
