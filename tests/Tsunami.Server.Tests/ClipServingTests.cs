using System.Net;
using System.Text.Json;

namespace Tsunami.Server.Tests;

/// <summary>
/// An installed CLIP set in the server: its towers served over the Open Inference Protocol like any model, the
/// uploads and jobs embedded by it, and the API's questions answered in its space.
/// </summary>
public sealed class ClipServingTests(ClipServingTests.ClipServer server) : IClassFixture<ClipServingTests.ClipServer>
{
    /// <summary>The darknet samples server with a generated CLIP set (Immich's layout) installed before it starts.</summary>
    public sealed class ClipServer : ApiServer
    {
        public ClipServer() => ClipTestModels.Write(Path.Combine(Repository.DataDirectory, "clip", "tiny-clip"), ClipTestModels.Layout.Immich);
    }

    [Fact]
    public async Task The_towers_are_served_and_answer_as_their_weights_say()
    {
        using var client = server.CreateClient();
        var metadata = await Protocol.JsonOf(await client.GetAsync("/v2/models/clip-visual"));
        Assert.Equal("image", metadata.GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.Equal("[-1,3,32,32]", metadata.GetProperty("inputs")[0].GetProperty("shape").GetRawText().Replace(" ", "", StringComparison.Ordinal));

        var pixels = Enumerable.Repeat(1f, 3 * 32 * 32).Concat(Enumerable.Repeat(-1f, 3 * 32 * 32)).ToArray();
        using var response = await client.PostAsync("/v2/models/clip-visual/infer", Protocol.Json(Protocol.FloatRequest("image", [2, 3, 32, 32], pixels)));
        var body = await Protocol.JsonOf(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([1f, 1f, 1f, 0f, -1f, -1f, -1f, 0f], Protocol.Floats(body.GetProperty("outputs")[0]));
        var index = await Protocol.JsonOf(await client.PostAsync("/v2/repository/index", Protocol.Json("{}")));
        Assert.Contains(index.EnumerateArray(), m => m.GetProperty("name").GetString() == "clip-textual" && m.GetProperty("state").GetString() == "READY");
    }

    [Fact]
    public async Task Stored_photos_carry_the_clip_vector_and_questions_use_it()
    {
        using var client = server.CreateClient();
        var assets = (await Protocol.JsonOf(await client.GetAsync("/api/assets?limit=100"))).GetProperty("assets");
        var detail = await Protocol.JsonOf(await client.GetAsync($"/api/assets/{assets[0].GetProperty("id").GetString()}"));
        Assert.StartsWith("1/tiny-clip:", detail.GetProperty("stages").GetProperty("clip").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, detail.GetProperty("zeroShot").ValueKind);

        var answer = await Protocol.JsonOf(await client.GetAsync("/api/ask?q=" + Uri.EscapeDataString("photos of something red")));
        Assert.Contains(answer.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("CLIP tiny-clip", StringComparison.Ordinal));
    }
}
