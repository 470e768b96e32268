using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Tsunami.Server.Hosting;

namespace Tsunami.Server.Tests;

/// <summary>The server reads the questions' vector spaces in the background, so no question pays for an index build.</summary>
public sealed class VectorWarmupTests(VectorWarmupTests.SmallIndexServer server) : IClassFixture<VectorWarmupTests.SmallIndexServer>
{
    /// <summary>The sample photos' spaces pass the HNSW threshold, so reading them builds an index on disk.</summary>
    public sealed class SmallIndexServer : ApiServer
    {
        protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string> { ["Vectors:HnswAbove"] = "4" };
    }

    [Fact]
    public async Task The_server_builds_the_vector_indexes_without_being_asked_a_question()
    {
        // The warm-up ran as the server started, over a store the fixture then filled; run it again as a restart would.
        var warmup = server.Services.GetServices<IHostedService>().OfType<VectorWarmup>().Single();
        await warmup.StartAsync(CancellationToken.None);
        await warmup.ExecuteTask!;

        foreach (var space in new[] { "visual", "semantic" })
        {
            var snapshot = Path.Combine(server.Repository.DataDirectory, "vectors", space, "index.snapshot");
            Assert.True(File.Exists(snapshot), $"no index for the {space} space after the warm-up");
        }
    }
}
