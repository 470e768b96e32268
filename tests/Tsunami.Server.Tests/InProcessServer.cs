using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Tsunami.Server.Tests;

/// <summary>The server in process (WebApplicationFactory, no sockets), serving the generated test repository.</summary>
public sealed class InProcessServer : WebApplicationFactory<Program>
{
    public TestRepository Repository { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Repository.Settings)
        {
            builder.UseSetting(key, value);
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
