using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Tsunami.Server.Tests;

/// <summary>Uploads through the API: stored and enriched like any photo, every bad file refused with its own name and reason.</summary>
public sealed class UploadTests(UploadTests.UploadServer server) : IClassFixture<UploadTests.UploadServer>
{
    public sealed class UploadServer : ApiServer
    {
        protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string> { ["Server:MaxUploadBytes"] = "3000000" };
    }

    private HttpClient Client(bool explicitClient = true)
    {
        var client = server.CreateClient();
        if (explicitClient)
        {
            client.DefaultRequestHeaders.Add("X-Requested-With", "tests");
        }
        return client;
    }

    private static MultipartFormDataContent Form(params (string Name, byte[] Content)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
        {
            var part = new ByteArrayContent(content);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "files", name);
        }
        return form;
    }

    [Fact]
    public async Task Uploaded_photos_are_stored_enriched_and_found_and_bad_files_are_named()
    {
        var sign = TextPhotos.Sign("HIGH VOLTAGE 42");
        using var response = await Client().PostAsync("/api/assets?collection=field",
            Form(("sign.png", sign), ("broken.jpg", sign[..200]), ("notes.txt", Encoding.UTF8.GetBytes("not a photo")), ("../../escape.png", TestPhotos.Png(64, 48, 3))));
        var body = await Protocol.JsonOf(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((2, 2), (body.GetProperty("ingested").GetInt32(), body.GetProperty("failed").GetInt32()));
        var errors = body.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("reason").GetString()!);
        Assert.Equal(["broken.jpg", "notes.txt"], errors.Keys.Order());
        Assert.False(File.Exists(Path.Combine(server.Repository.DataDirectory, "..", "escape.png")));
        Assert.False(Directory.Exists(Path.Combine(server.Repository.DataDirectory, "uploads")) && Directory.EnumerateFileSystemEntries(Path.Combine(server.Repository.DataDirectory, "uploads")).Any());

        var answer = await Protocol.JsonOf(await Client().GetAsync("/api/ask?q=" + Uri.EscapeDataString("photos with the text HIGH VOLTAGE")));
        var found = answer.GetProperty("results")[0];
        Assert.Equal(("sign.png", "field"), (found.GetProperty("path").GetString(), found.GetProperty("collection").GetString()));
        Assert.Contains("field", (await Protocol.JsonOf(await Client().GetAsync("/api/collections"))).GetProperty("collections").EnumerateArray().Select(c => c.GetString()));

        using var again = await Client().PostAsync("/api/assets?collection=field", Form(("sign-again.png", sign)));
        Assert.Equal(1, (await Protocol.JsonOf(again)).GetProperty("duplicates").GetInt32());
    }

    [Fact]
    public async Task A_photo_streamed_as_the_request_body_is_stored_under_its_name()
    {
        var photo = TestPhotos.Jpeg(640, 480, seed: 31);
        using var response = await Client().PutAsync("/api/assets?collection=streamed&name=pump%207.jpg", new ByteArrayContent(photo));
        var body = await Protocol.JsonOf(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, body.GetProperty("ingested").GetInt32());
        var asset = await Protocol.JsonOf(await Client().GetAsync($"/api/assets/{body.GetProperty("id").GetString()}"));
        Assert.Equal(("pump 7.jpg", "streamed"), (asset.GetProperty("path").GetString(), asset.GetProperty("collection").GetString()));

        using var again = await Client().PutAsync("/api/assets?collection=streamed&name=again.jpg", new ByteArrayContent(photo));
        Assert.Equal(body.GetProperty("id").GetString(), (await Protocol.JsonOf(again)).GetProperty("id").GetString());

        using var broken = await Client().PutAsync("/api/assets?name=half.jpg", new ByteArrayContent(photo[..300]));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.StartsWith("half.jpg: ", (await Protocol.JsonOf(broken)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_without_a_key_or_an_explicit_client_header_is_refused()
    {
        using var response = await Client(explicitClient: false).PostAsync("/api/assets", Form(("a.png", TestPhotos.Png(32, 32, 1))));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("forms posted by other sites are refused", (await Protocol.JsonOf(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a form", HttpStatusCode.UnsupportedMediaType, "an upload is a multipart/form-data form of files")]
    [InlineData("empty form", HttpStatusCode.BadRequest, "the form holds no files")]
    [InlineData("bad collection", HttpStatusCode.BadRequest, "collection: a name of 1 to 100 printable characters")]
    [InlineData("too large", HttpStatusCode.RequestEntityTooLarge, "larger than the server accepts")]
    public async Task Bad_uploads_are_refused_with_what_is_wrong(string kind, HttpStatusCode status, string message)
    {
        using HttpContent content = kind switch
        {
            "not a form" => Protocol.Json("{}"),
            "empty form" => new MultipartFormDataContent { { new StringContent("x"), "note" } },
            "too large" => Form(("huge.png", new byte[4_000_000])),
            _ => Form(("a.png", TestPhotos.Png(32, 32, 1))),
        };
        var path = kind == "bad collection" ? "/api/assets?collection=%20" : "/api/assets";
        using var response = await Client().PostAsync(path, content);
        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
