using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Tsunami.Engine.Ingest;

namespace Tsunami.Server.Tests;

/// <summary>With API keys configured: no key or a wrong one gets 401, a read-only key cannot change anything.</summary>
public sealed class ApiKeyTests(ApiKeyTests.KeyedServer server) : IClassFixture<ApiKeyTests.KeyedServer>
{
    private const string ReadKey = "read-key-0123";
    private const string AdminKey = "admin-key-4567";

    public sealed class KeyedServer : WebApplicationFactory<Program>
    {
        public TestRepository Repository { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in Repository.SettingsWithDefaultModels)
            {
                builder.UseSetting(key, value);
            }
            builder.UseSetting("API_KEYS", $"{ReadKey}:read,{AdminKey}:admin");
            if (Directory.Exists(RepositoryPaths.SharedModels))
            {
                builder.UseSetting("Models:SharedDirectory", RepositoryPaths.SharedModels);
            }
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing)
            {
                Repository.Dispose();
            }
        }
    }

    private HttpClient Client(string? key = null, bool bearer = false)
    {
        var client = server.CreateClient();
        if (key is not null && bearer)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        else if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }
        return client;
    }

    [Theory]
    [InlineData("/api/stats")]
    [InlineData("/api/ask?q=dogs")]
    [InlineData("/v2/models/affine")]
    [InlineData("/metrics")]
    public async Task Requests_without_a_valid_key_get_401(string path)
    {
        using var none = await Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("a valid API key is required", (await Protocol.JsonOf(none)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client("wrong-key-000").GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task A_read_key_reads_by_header_or_bearer_token()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client(ReadKey).GetAsync("/api/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client(ReadKey, bearer: true).GetAsync("/v2/models/affine")).StatusCode);
        var y = await Protocol.InferAsync(Client(ReadKey), "affine", [1, 2, 3, 4], [1, 4]);
        Assert.Equal(TestRepository.AffineOf([1, 2, 3, 4]), y);
    }

    [Fact]
    public async Task Only_an_admin_key_changes_the_models()
    {
        using var refused = await Client(ReadKey).PostAsync("/v2/repository/models/affine-single/unload", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("read-only", (await Protocol.JsonOf(refused)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Client(AdminKey).PostAsync("/v2/repository/models/affine-single/unload", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client(AdminKey).PostAsync("/v2/repository/models/affine-single/load", null)).StatusCode);
    }

    [Theory]
    [InlineData("/api/assets/0123456789abcdef")]
    [InlineData("/api/collections/samples")]
    public async Task Only_an_admin_key_deletes(string path)
    {
        using var refused = await Client(ReadKey).DeleteAsync(path);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("read-only", (await Protocol.JsonOf(refused)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Client(AdminKey).DeleteAsync(path)).StatusCode);
    }

    [Fact]
    public async Task A_key_signs_the_browser_in_with_an_http_only_cookie()
    {
        var browser = Client();
        browser.DefaultRequestHeaders.Add("X-Requested-With", "tests");
        var anonymous = await Protocol.JsonOf(await browser.GetAsync("/api/session"));
        Assert.True(anonymous.GetProperty("keysRequired").GetBoolean());
        Assert.False(anonymous.TryGetProperty("role", out _));

        using var wrong = await browser.PostAsync("/api/session", Protocol.Json("""{ "key": "not-a-key-at-all" }"""));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/stats")).StatusCode);

        using var signedIn = await browser.PostAsync("/api/session", Protocol.Json($$"""{ "key": "{{ReadKey}}" }"""));
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/stats")).StatusCode);
        Assert.Equal("read", (await Protocol.JsonOf(await browser.GetAsync("/api/session"))).GetProperty("role").GetString());

        using var crossSite = await Client().PostAsync("/api/session", Protocol.Json($$"""{ "key": "{{ReadKey}}" }"""));
        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
    }

    [Fact]
    public async Task A_read_only_key_gets_the_thumbnail_with_faces_blurred()
    {
        var ingest = server.Services.GetRequiredService<IngestService>();
        var result = await ingest.IngestAsync(new IngestRequest([Path.Combine(RepositoryPaths.Samples, "skimage", "astronaut.png")], "faces",
            new Dictionary<string, string>(), Enrich: true), null, CancellationToken.None);
        var id = result.AssetIds.Single().ToString();
        var detail = await Protocol.JsonOf(await Client(AdminKey).GetAsync($"/api/assets/{id}"));
        var derived = detail.GetProperty("derived").EnumerateArray().ToDictionary(d => d.GetProperty("kind").GetString()!, d => d.GetProperty("sha256").GetString());
        Assert.True(derived.ContainsKey("privatethumbnail"), "enrichment found no face on astronaut.png");

        var forAdmin = await (await Client(AdminKey).GetAsync($"/api/assets/{id}/thumbnail")).Content.ReadAsByteArrayAsync();
        var forReader = await (await Client(ReadKey).GetAsync($"/api/assets/{id}/thumbnail")).Content.ReadAsByteArrayAsync();

        Assert.Equal(derived["thumbnail"], Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(forAdmin)));
        Assert.Equal(derived["privatethumbnail"], Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(forReader)));
    }

    [Fact]
    public async Task Health_answers_without_a_key()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client().GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client().GetAsync("/v2/health/live")).StatusCode);
    }

    [Fact]
    public void Off_loopback_the_server_refuses_to_start_without_a_key()
    {
        using var repository = new TestRepository();
        var args = repository.Settings.Select(s => $"--{s.Key}={s.Value}").ToArray();
        var error = Assert.Throws<InvalidOperationException>(() => TsunamiServer.Build(new ServerSettings(Host: "0.0.0.0", Port: 0, GrpcPort: null), args));
        Assert.StartsWith("refusing to listen on 0.0.0.0 without an API key", error.Message, StringComparison.Ordinal);

        var keyed = TsunamiServer.Build(new ServerSettings(Host: "0.0.0.0", Port: 0, GrpcPort: null), [.. args, $"--API_KEYS={AdminKey}:admin"]);
        Assert.NotNull(keyed);
    }
}
