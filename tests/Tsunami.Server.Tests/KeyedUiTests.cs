using Microsoft.Playwright;

namespace Tsunami.Server.Tests;

/// <summary>The web UI on a server that requires API keys: it asks for one, then works as usual.</summary>
public sealed class KeyedUiTests : IAsyncLifetime
{
    private const string Key = "ui-read-key-42";
    private readonly TestRepository _repository = new();
    private LoopbackServer _server = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        var settings = _repository.SettingsWithDefaultModels;
        settings["API_KEYS"] = $"{Key}:read";
        if (Directory.Exists(RepositoryPaths.SharedModels))
        {
            settings["Models:SharedDirectory"] = RepositoryPaths.SharedModels;
        }
        _server = await LoopbackServer.StartAsync(settings);
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    [Fact]
    public async Task The_page_asks_for_a_key_and_then_answers()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(new Uri(_server.Client.BaseAddress!, "/?q=photos").ToString());
        await page.Locator("#signin").WaitForAsync();

        await page.FillAsync("#key", "not-the-key");
        await page.ClickAsync("#signin button");
        await page.Locator("#signin-error:has-text('not one of the server')").WaitForAsync();

        await page.FillAsync("#key", Key);
        await page.ClickAsync("#signin button");
        await page.WaitForFunctionAsync("() => document.getElementById('summary').textContent === 'No photo matches.'");
        Assert.True(await page.Locator("#signin").IsHiddenAsync());
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _server.DisposeAsync();
        _repository.Dispose();
    }
}
