using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Tsunami.Engine.Ingest;

namespace Tsunami.Server.Tests;

/// <summary>
/// The web UI in real headless Chromium (Debian's, driven by Playwright) against a real server over the darknet
/// samples. Screenshots are kept under artifacts/ui.
/// </summary>
public sealed class UiTests : IAsyncLifetime
{
    private readonly TestRepository _repository = new();
    private LoopbackServer _server = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private static string Artifacts => Directory.CreateDirectory(Path.Combine(RepositoryPaths.Root, "artifacts", "ui")).FullName;

    public async Task InitializeAsync()
    {
        var settings = _repository.SettingsWithDefaultModels;
        if (Directory.Exists(RepositoryPaths.SharedModels))
        {
            settings["Models:SharedDirectory"] = RepositoryPaths.SharedModels;
        }
        _server = await LoopbackServer.StartAsync(settings);
        var ingested = await _server.Services.GetRequiredService<IngestService>().IngestAsync(
            new IngestRequest([Path.Combine(RepositoryPaths.Samples, "darknet")], "samples", new Dictionary<string, string>(), Enrich: true), null, CancellationToken.None);
        Assert.Equal(0, ingested.Failed);
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    private async Task<IPage> OpenAsync(string path)
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await page.GotoAsync(new Uri(_server.Client.BaseAddress!, path).ToString());
        return page;
    }

    [Fact]
    public async Task A_deep_linked_question_shows_the_count_in_words_and_the_right_thumbnails()
    {
        var page = await OpenAsync("/?q=" + Uri.EscapeDataString("how many photos show horses"));
        await page.Locator("#results .card").First.WaitForAsync();

        Assert.Equal("2 photos show horses", await page.Locator("#summary").InnerTextAsync());
        var names = await page.Locator("#results .card .name").AllInnerTextsAsync();
        Assert.Equal(["horses.jpg", "person.jpg"], names.Order());
        Assert.All(await page.Locator("#results .card .why").AllInnerTextsAsync(), why => Assert.Contains("horse", why, StringComparison.Ordinal));
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#results img')].every(i => i.complete && i.naturalWidth > 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "ask-horses.png"), FullPage = true });
    }

    [Fact]
    public async Task Typing_a_question_answers_it_and_makes_the_address_a_link_to_it()
    {
        var page = await OpenAsync("/");
        await page.FillAsync("#q", "photos with a giraffe");
        await page.PressAsync("#q", "Enter");
        await page.Locator("#results .card").First.WaitForAsync();
        Assert.Equal("giraffe.jpg", await page.Locator("#results .card .name").First.InnerTextAsync());
        Assert.EndsWith("/?q=photos%20with%20a%20giraffe", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_a_photo_draws_its_objects_and_lists_what_was_found()
    {
        var page = await OpenAsync("/?q=" + Uri.EscapeDataString("photos with a bicycle"));
        await page.Locator("#results .card", new PageLocatorOptions { HasText = "dog.jpg" }).ClickAsync();
        await page.Locator("#detail[open]").WaitForAsync();
        await page.Locator("#boxes rect.object").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

        var labels = await page.Locator("#boxes text").AllTextContentsAsync();
        Assert.Contains("dog", labels);
        Assert.Contains("bicycle", labels);
        Assert.Contains("dog.jpg", await page.Locator("#facts").InnerTextAsync(), StringComparison.Ordinal);
        await page.WaitForFunctionAsync("() => document.getElementById('preview').naturalWidth > 0");
        await page.Locator("#similar .card").First.WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "detail-dog.png") });
    }

    [Fact]
    public async Task A_photo_uploaded_from_the_page_is_stored_and_found()
    {
        var page = await OpenAsync("/?q=" + Uri.EscapeDataString("photos with the text DANGER"));
        await page.WaitForFunctionAsync("() => document.getElementById('summary').textContent.length > 0");
        var file = Path.Combine(_repository.DataDirectory, "..", "danger-sign.png");
        await File.WriteAllBytesAsync(file, TextPhotos.Sign("DANGER\nKEEP OUT"));

        await page.SetInputFilesAsync("#files", file);

        await page.Locator("#uploads li[data-done]").WaitForAsync();
        Assert.Equal("stored", await page.Locator("#uploads li .status").InnerTextAsync());
        await page.Locator("#results .card", new PageLocatorOptions { HasText = "danger-sign.png" }).WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "upload.png") });
    }

    [Fact]
    public async Task Photos_dropped_on_the_page_are_uploaded_each_with_its_own_outcome()
    {
        var page = await OpenAsync("/?q=" + Uri.EscapeDataString("photos with the text KEEP OUT"));
        await page.WaitForFunctionAsync("() => document.getElementById('summary').textContent.length > 0");
        var files = await page.EvaluateHandleAsync("""
            ([sign, text]) => {
              const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
              const transfer = new DataTransfer();
              transfer.items.add(new File([bytes(sign)], "dropped-sign.png", { type: "image/png" }));
              transfer.items.add(new File([bytes(text)], "notes.txt", { type: "text/plain" }));
              return transfer;
            }
            """, new[] { Convert.ToBase64String(TextPhotos.Sign("KEEP OUT")), Convert.ToBase64String("not a photo"u8.ToArray()) });

        await page.DispatchEventAsync("main", "drop", new Dictionary<string, object> { ["dataTransfer"] = files });

        await page.WaitForFunctionAsync("() => document.querySelectorAll('#uploads li[data-done]').length === 2");
        Assert.Equal("stored", await page.Locator("#uploads li[data-name='dropped-sign.png'] .status").InnerTextAsync());
        Assert.Contains("not an image", await page.Locator("#uploads li[data-name='notes.txt'].failed .status").InnerTextAsync(), StringComparison.Ordinal);
        await page.Locator("#results .card", new PageLocatorOptions { HasText = "dropped-sign.png" }).WaitForAsync();
    }

    [Fact]
    public async Task Scrolling_to_the_end_of_the_results_loads_the_next_page()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_repository.DataDirectory, "..", "bulk")).FullName;
        for (var i = 0; i < 75; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(folder, $"bulk-{i:d3}.png"), TestPhotos.Png(96, 64, seed: 1000 + i));
        }
        await _server.Services.GetRequiredService<IngestService>().IngestAsync(new IngestRequest([folder], "bulk", new Dictionary<string, string>()), null, CancellationToken.None);
        var page = await OpenAsync("/?q=" + Uri.EscapeDataString("photos in the bulk collection"));
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#results .card').length === 60");

        await page.Mouse.WheelAsync(0, 100_000);

        await page.WaitForFunctionAsync("() => document.querySelectorAll('#results .card').length === 75");
        var names = await page.Locator("#results .card .name").AllInnerTextsAsync();
        Assert.Equal(75, names.Distinct().Count());
    }

    [Fact]
    public async Task A_facet_narrows_the_question_and_the_answer()
    {
        var page = await OpenAsync("/");
        var giraffe = page.Locator("#facets [data-facet=objects] .chip[data-value=giraffe]");
        await giraffe.WaitForAsync();
        Assert.Equal("giraffe (1)", await giraffe.InnerTextAsync());

        await giraffe.ClickAsync();

        await page.Locator("#results .card").First.WaitForAsync();
        Assert.Equal("photos with a giraffe", await page.InputValueAsync("#q"));
        Assert.Equal(["giraffe.jpg"], await page.Locator("#results .card .name").AllInnerTextsAsync());
        Assert.EndsWith("/?q=photos%20with%20a%20giraffe", page.Url, StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "facets.png") });
    }

    [Fact]
    public async Task The_operations_page_charts_model_traffic_and_storage()
    {
        var page = await OpenAsync("/ops");
        var pageErrors = new List<string>();
        page.PageError += (_, error) => pageErrors.Add(error);
        page.Console += (_, message) => pageErrors.Add($"console {message.Type}: {message.Text}");
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.ticks) >= 1");
        Assert.Contains("MB", await page.Locator("#storage tr[data-collection=samples]").InnerTextAsync(), StringComparison.Ordinal);

        // Traffic goes on until the page has shown it (a fixed window raced the page's 2 s refresh on a busy machine).
        using var traffic = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var load = Task.Run(async () =>
        {
            while (!traffic.IsCancellationRequested)
            {
                await Protocol.InferAsync(_server.Client, "affine", [1, 2, 3, 4], [1, 4]);
            }
        });
        await ShownWhileLoadingAsync(page, "() => Number(document.querySelector('#models tr[data-model=affine] td:nth-child(3)')?.textContent) > 0", load, pageErrors);
        await ShownWhileLoadingAsync(page, "() => ['latency', 'batch', 'queued'].every(id => document.getElementById(id).dataset.series?.split(' ').includes('affine'))", load, pageErrors);
        await traffic.CancelAsync();
        await load;
        Assert.Equal("1", await page.Locator("#models tr[data-model=affine] td:nth-child(7)").InnerTextAsync());
        Assert.True(await page.Locator("#storage tr[data-collection=samples] meter").EvaluateAsync<bool>("m => m.value > 0 && m.value === m.max"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "operations.png") });
    }

    /// <summary>
    /// Waits until the page shows what the load does; a load that fails fails the test with its own error, and a page
    /// that never shows it with what it showed instead (the table, its refreshes, its errors, the server's metrics).
    /// </summary>
    private async Task ShownWhileLoadingAsync(IPage page, string expression, Task load, List<string> pageErrors)
    {
        var shown = page.WaitForFunctionAsync(expression, null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        if (await Task.WhenAny(shown, load) == load)
        {
            await load;
            Assert.Fail("the load ended before the page showed it");
        }
        try
        {
            await shown;
        }
        catch (TimeoutException e)
        {
            var ticks = await page.EvaluateAsync<string>("() => document.body.dataset.ticks");
            var table = await page.Locator("#models").InnerTextAsync();
            var metrics = (await _server.Client.GetStringAsync("/metrics")).Split('\n').Where(l => l.Contains("affine", StringComparison.Ordinal)).Take(12);
            throw new TimeoutException($"{e.Message}\npage refreshes: {ticks}\nmodels table:\n{table}\npage errors:\n{string.Join('\n', pageErrors)}\nmetrics:\n{string.Join('\n', metrics)}", e);
        }
    }

    [Fact]
    public async Task A_photo_lists_its_near_duplicates_and_opens_them()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_repository.DataDirectory, "..", "copies")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(folder, "site-a.png"), TestPhotos.Png(800, 600, seed: 77));
        await File.WriteAllBytesAsync(Path.Combine(folder, "site-a-copy.jpg"), TestPhotos.Jpeg(800, 600, seed: 77, quality: 70));
        var ingested = await _server.Services.GetRequiredService<IngestService>().IngestAsync(
            new IngestRequest([folder], "copies", new Dictionary<string, string>()), null, CancellationToken.None);
        var original = ingested.AssetIds[0].ToString();
        var page = await OpenAsync($"/?q=photos#asset={original}");
        var near = page.Locator("#facts a.near");
        await near.WaitForAsync();

        await near.ClickAsync();

        await page.WaitForFunctionAsync($"() => location.hash.startsWith('#asset=') && !location.hash.includes('{original}')");
        Assert.Contains(ingested.AssetIds[1].ToString(), page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ingest_job_started_from_the_operations_page_runs_to_its_end()
    {
        var page = await OpenAsync("/ops");
        await page.FillAsync("#job-source", "/no/such/folder");
        await page.ClickAsync("#job button");
        await page.Locator("#job-error:has-text('does not exist on the server')").WaitForAsync();

        await page.FillAsync("#job-source", Path.Combine(RepositoryPaths.Samples, "darknet"));
        await page.FillAsync("#job-collection", "imports");
        await page.ClickAsync("#job button");

        var row = page.Locator("#jobs tr[data-status=completed]");
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
        var photos = Directory.GetFiles(Path.Combine(RepositoryPaths.Samples, "darknet")).Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(photos, await row.Locator("td:nth-child(5)").InnerTextAsync());
        Assert.Equal("", await page.Locator("#job-error").InnerTextAsync());
        await page.Locator("#storage tr[data-collection=imports]").WaitForAsync();
    }

    [Fact]
    public async Task A_photo_deleted_from_its_view_leaves_every_answer()
    {
        var page = await OpenAsync("/?q=" + Uri.EscapeDataString("photos with a giraffe"));
        await page.Locator("#results .card", new PageLocatorOptions { HasText = "giraffe.jpg" }).ClickAsync();
        await page.Locator("#detail[open]").WaitForAsync();
        var id = await page.Locator("#results .card").First.GetAttributeAsync("data-id");
        string? confirmation = null;
        page.Dialog += async (_, dialog) => { confirmation = dialog.Message; await dialog.AcceptAsync(); };

        await page.ClickAsync("#delete");

        await page.Locator("#detail:not([open])").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.Locator("#summary:has-text('No photo matches.')").WaitForAsync();
        Assert.Contains("giraffe.jpg", confirmation, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await _server.Client.GetAsync($"/api/assets/{id}")).StatusCode);
    }

    [Fact]
    public async Task Photos_are_narrowed_by_the_month_they_were_taken_and_by_a_range_of_dates()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_repository.DataDirectory, "..", "dated")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(folder, "march.jpg"), ExifWriter.AddExif(TestPhotos.Jpeg(640, 480, seed: 5), new ExifFields { TakenAt = new DateTime(2025, 3, 14, 10, 0, 0) }));
        await File.WriteAllBytesAsync(Path.Combine(folder, "may.jpg"), ExifWriter.AddExif(TestPhotos.Jpeg(640, 480, seed: 6), new ExifFields { TakenAt = new DateTime(2025, 5, 2, 10, 0, 0) }));
        await _server.Services.GetRequiredService<IngestService>().IngestAsync(new IngestRequest([folder], "dated", new Dictionary<string, string>()), null, CancellationToken.None);
        var page = await OpenAsync("/?q=photos");
        var march = page.Locator("#facets [data-facet=months] .chip[data-value='2025-03']");
        await march.WaitForAsync();
        Assert.Equal("March 2025 (1)", await march.InnerTextAsync());

        await march.ClickAsync();

        await page.WaitForFunctionAsync("() => document.getElementById('q').value === 'photos taken in March 2025'");
        await page.Locator("#results .card .name:text-is('march.jpg')").WaitForAsync();
        Assert.Equal(["march.jpg"], await page.Locator("#results .card .name").AllInnerTextsAsync());

        await page.FillAsync("#from", "2025-05-01");
        await page.FillAsync("#to", "2025-05-31");
        await page.ClickAsync("#range button");

        // The range replaces the month rather than adding a second time condition.
        await page.WaitForFunctionAsync("() => document.getElementById('q').value === 'photos taken between 2025-05-01 and 2025-05-31'");
        await page.Locator("#results .card .name:text-is('may.jpg')").WaitForAsync();
        Assert.Equal(["may.jpg"], await page.Locator("#results .card .name").AllInnerTextsAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, "dates.png") });
    }

    [Fact]
    public async Task The_operations_page_cancels_a_waiting_job_and_deletes_a_collection()
    {
        var writer = _server.Services.GetRequiredService<Api.IngestJobs>().Writer;
        await writer.WaitAsync();
        var page = await OpenAsync("/ops");
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        try
        {
            await page.FillAsync("#job-source", Path.Combine(RepositoryPaths.Samples, "darknet"));
            await page.FillAsync("#job-collection", "held");
            await page.ClickAsync("#job button");
            // The table is redrawn every two seconds; dispatching the click does not wait for a stable element.
            await page.Locator("#jobs tr[data-status=queued] button[data-action=cancel]").DispatchEventAsync("click");
            await page.Locator("#jobs tr[data-status=cancelled]").WaitForAsync();
        }
        finally
        {
            writer.Release();
        }

        await page.Locator("#storage tr[data-collection=samples] button[data-action=delete]").DispatchEventAsync("click");

        await page.Locator("#storage tr[data-collection=samples]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        var collections = (await Protocol.JsonOf(await _server.Client.GetAsync("/api/collections"))).GetProperty("collections").EnumerateArray().Select(c => c.GetString());
        Assert.DoesNotContain("samples", collections);
        Assert.Equal("", await page.Locator("#ops-error").InnerTextAsync());
    }

    [Fact]
    public async Task A_question_nobody_can_answer_says_so()
    {
        var page = await OpenAsync("/?q=" + Uri.EscapeDataString("photos with the text QWXZV PLORT"));
        await page.WaitForFunctionAsync("() => document.getElementById('summary').textContent.length > 0");
        Assert.Equal("No photo matches.", await page.Locator("#summary").InnerTextAsync());
        Assert.Equal(0, await page.Locator("#results .card").CountAsync());
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _server.DisposeAsync();
        _repository.Dispose();
    }
}
