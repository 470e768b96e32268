using Microsoft.Playwright;

namespace Tsunami.Server.Tests;

/// <summary>Debian's Chromium, headless, as the UI tests drive it.</summary>
internal static class Chromium
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        // This machine has no internet: without these Chromium keeps trying to reach Google's services.
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
}
