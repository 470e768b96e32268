using System.Net;
using System.Text.Json;

namespace Tsunami.Server.Tests;

/// <summary>The REST API over the store: the same answers and JSON as the CLI, files with safe types, every bad input.</summary>
public sealed class ApiTests(ApiServer server) : IClassFixture<ApiServer>
{
    private readonly HttpClient _client = server.CreateClient();

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await _client.GetAsync(path);
        var body = await Protocol.JsonOf(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return body;
    }

    private async Task<JsonElement> AssetAsync(string fileName) =>
        (await GetJsonAsync("/api/assets?limit=100")).GetProperty("assets").EnumerateArray().Single(a => a.GetProperty("path").GetString()!.EndsWith(fileName, StringComparison.Ordinal));

    [Fact]
    public async Task Stats_collections_and_the_asset_list_describe_the_store()
    {
        var photos = Directory.GetFiles(Path.Combine(RepositoryPaths.Samples, "darknet")).Length;
        Assert.Equal(photos, (await GetJsonAsync("/api/stats")).GetProperty("assets").GetInt32());
        Assert.Equal(["samples"], (await GetJsonAsync("/api/collections")).GetProperty("collections").EnumerateArray().Select(c => c.GetString()));
        var page = await GetJsonAsync("/api/assets?collection=samples&limit=2&offset=1");
        Assert.Equal((2, 1), (page.GetProperty("count").GetInt32(), page.GetProperty("offset").GetInt32()));
        Assert.Equal(photos, (await GetJsonAsync("/api/assets")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Assets_are_listed_by_tag_and_by_the_days_they_were_taken()
    {
        static IEnumerable<string> Names(JsonElement page) =>
            page.GetProperty("assets").EnumerateArray().Select(a => Path.GetFileName(a.GetProperty("path").GetString()!));
        var photos = Directory.GetFiles(Path.Combine(RepositoryPaths.Samples, "darknet")).Length;
        Assert.Equal(photos, (await GetJsonAsync("/api/assets?tag=SITE%3D12")).GetProperty("count").GetInt32());
        Assert.Equal(0, (await GetJsonAsync("/api/assets?tag=site%3D13")).GetProperty("count").GetInt32());
        // dog.jpg was taken on 2014-09-19.
        Assert.Contains("dog.jpg", Names(await GetJsonAsync("/api/assets?takenFrom=2014-09-19&takenTo=2014-09-19")));
        Assert.DoesNotContain("dog.jpg", Names(await GetJsonAsync("/api/assets?takenFrom=2014-09-20")));
        Assert.DoesNotContain("dog.jpg", Names(await GetJsonAsync("/api/assets?takenTo=2014-09-18")));
    }

    [Fact]
    public async Task An_asset_carries_what_enrichment_found_as_show_json_does()
    {
        var dog = await AssetAsync("dog.jpg");
        var detail = await GetJsonAsync($"/api/assets/{dog.GetProperty("id").GetString()}");
        Assert.Contains(detail.GetProperty("objects").EnumerateArray(), o => o.GetProperty("label").GetString() == "dog");
        Assert.Equal("12", detail.GetProperty("tags").GetProperty("site").GetString());
        Assert.True(detail.GetProperty("quality").GetProperty("megapixels").GetDouble() > 0);
        Assert.Equal(4, detail.GetProperty("objects")[0].GetProperty("box").EnumerateObject().Count());
    }

    [Fact]
    public async Task Files_are_served_with_their_own_safe_content_types()
    {
        var dog = (await AssetAsync("dog.jpg")).GetProperty("id").GetString();
        using var original = await _client.GetAsync($"/api/assets/{dog}/original");
        Assert.Equal("image/jpeg", original.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", original.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.Samples, "darknet", "dog.jpg")), await original.Content.ReadAsByteArrayAsync());
        using var thumbnail = await _client.GetAsync($"/api/assets/{dog}/thumbnail");
        Assert.Equal("image/webp", thumbnail.Content.Headers.ContentType?.MediaType);
        using var preview = await _client.GetAsync($"/api/assets/{dog}/preview");
        Assert.Equal("image/jpeg", preview.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/assets/{dog}/secrets")).StatusCode);
    }

    [Fact]
    public async Task Ask_answers_with_the_count_the_results_and_their_evidence()
    {
        var answer = await GetJsonAsync("/api/ask?q=" + Uri.EscapeDataString("how many photos show horses"));
        // horses.jpg, and person.jpg: a woman with her dog and her horse.
        Assert.Equal(2, answer.GetProperty("count").GetInt32());
        Assert.Equal(["horses.jpg", "person.jpg"], answer.GetProperty("results").EnumerateArray().Select(r => Path.GetFileName(r.GetProperty("path").GetString())).Order());
        Assert.All(answer.GetProperty("results").EnumerateArray(), r => Assert.Contains(r.GetProperty("evidence").EnumerateArray(), e => e.GetProperty("kind").GetString() == "object"));

        using var form = await _client.PostAsync("/api/ask", new FormUrlEncodedContent(new Dictionary<string, string> { ["q"] = "photos with a giraffe", ["limit"] = "5", ["explain"] = "true" }));
        var posted = await Protocol.JsonOf(form);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.EndsWith("giraffe.jpg", posted.GetProperty("results")[0].GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.True(posted.GetProperty("plan").GetArrayLength() > 0);
    }

    [Fact]
    public async Task Similar_ranks_other_photos_by_looks()
    {
        var dog = (await AssetAsync("dog.jpg")).GetProperty("id").GetString()!;
        var answer = await GetJsonAsync($"/api/similar/{dog[..12]}?limit=3");
        var ids = answer.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(3, ids.Count);
        Assert.DoesNotContain(dog, ids);
    }

    [Fact]
    public async Task Facets_count_the_photos_of_each_value()
    {
        var facets = await GetJsonAsync("/api/facets");
        int Count(string facet, string value) => facets.GetProperty(facet).EnumerateArray().Single(f => f.GetProperty("value").GetString() == value).GetProperty("count").GetInt32();
        Assert.Equal(Directory.GetFiles(Path.Combine(RepositoryPaths.Samples, "darknet")).Length, Count("collections", "samples"));
        Assert.Equal(2, Count("objects", "horse"));
        Assert.Equal(1, Count("objects", "giraffe"));
        Assert.Equal(Count("collections", "samples"), Count("tags", "site=12"));
    }

    public static TheoryData<string, HttpStatusCode, string> BadRequests => new()
    {
        { "/api/assets/0123456789abcdef", HttpStatusCode.NotFound, "no asset has the id '0123456789abcdef'" },
        { "/api/assets/..%2F..%2Fetc%2Fpasswd", HttpStatusCode.NotFound, "(ids are hexadecimal, 8 digits or more)" },
        { "/api/assets/abc", HttpStatusCode.NotFound, "no asset has the id 'abc'" },
        { "/api/assets?limit=0", HttpStatusCode.BadRequest, "limit must lie within 1..1000" },
        { "/api/assets?limit=many", HttpStatusCode.BadRequest, "limit" },
        { "/api/assets?tag=site", HttpStatusCode.BadRequest, "tag: 'site' is not key=value" },
        { "/api/assets?takenFrom=19.09.2014", HttpStatusCode.BadRequest, "takenFrom: '19.09.2014' is not a date (yyyy-MM-dd)" },
        { "/api/ask", HttpStatusCode.BadRequest, "q: ask a question" },
        { "/api/ask?q=dogs&limit=-1", HttpStatusCode.BadRequest, "limit -1 must lie within 0..1000" },
        { "/api/ask?q=dogs&now=yesterday-ish", HttpStatusCode.BadRequest, "now 'yesterday-ish' is not an ISO 8601 time" },
        { "/api/similar/0123456789abcdef", HttpStatusCode.NotFound, "no asset has the id" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_requests_name_what_is_wrong(string path, HttpStatusCode status, string message)
    {
        using var response = await _client.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains(message, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_by_post_takes_a_form_only()
    {
        using var response = await _client.PostAsync("/api/ask", Protocol.Json("""{ "q": "dogs" }"""));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("takes a form", (await Protocol.JsonOf(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_openapi_and_the_reference_page_are_served()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/ready")).StatusCode);
        var document = await GetJsonAsync("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/ask", paths);
        Assert.Contains("/api/assets/{id}", paths);
        Assert.Contains("/v2/models/{name}/infer", paths);
        using var reference = await _client.GetAsync("/scalar/v1");
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Contains("text/html", reference.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
    }
}
