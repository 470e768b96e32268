using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tsunami.Inference.Onnx;
using Tsunami.Inference.Repository;
using Tsunami.Serving.Metrics;
using Tsunami.Serving.Repository;

namespace Tsunami.Serving.Runtime;

public sealed record ModelStatus(string Name, string? Version, string State, string? Reason);

/// <summary>
/// The models being served, shared by the pipeline, the server and remote clients. Loading a loaded model reloads
/// it: the new version takes requests as soon as it is ready and the old one finishes what it had queued.
/// </summary>
public sealed partial class ModelRuntime(
    ModelRepository repository, OnnxSessionFactory sessions, ServingMetrics metrics, IOptions<ServingOptions> options, ILogger<ModelRuntime> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, ServedModel> _loaded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _failed = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changing = new(1, 1);
    private volatile bool _started;

    /// <summary>Ready once the models present at start have been loaded (or have failed, with their reason).</summary>
    public bool Ready => _started;

    public async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        metrics.Observe(() => _loaded.Values.Select(m => (m.Name, m.Version, m.Pending, m.InstanceCount)).ToList());
        foreach (var name in repository.Names())
        {
            try
            {
                await LoadAsync(name, cancellationToken);
            }
            catch (Exception e) when (e is ModelLoadException or InvalidDataException or KeyNotFoundException or ModelUnavailableException)
            {
                LogLoadFailed(name, e.Message);
            }
        }
        _started = true;
    }

    /// <exception cref="ModelLoadException">The model file is missing, corrupt, or does not match its configuration.</exception>
    /// <exception cref="InvalidDataException">The configuration or the folder is wrong.</exception>
    /// <exception cref="KeyNotFoundException">No model of that name.</exception>
    public async Task<ServedModel> LoadAsync(string name, CancellationToken cancellationToken)
    {
        await _changing.WaitAsync(cancellationToken);
        try
        {
            return await LoadLockedAsync(name, cancellationToken);
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>The loaded model, else loads it (once, however many callers ask at the same time).</summary>
    /// <exception cref="ModelLoadException">The model file is missing, corrupt, or does not match its configuration.</exception>
    /// <exception cref="InvalidDataException">The configuration or the folder is wrong.</exception>
    /// <exception cref="KeyNotFoundException">No model of that name.</exception>
    public async Task<ServedModel> GetOrLoadAsync(string name, CancellationToken cancellationToken)
    {
        if (_loaded.TryGetValue(name, out var loaded))
        {
            return loaded;
        }
        await _changing.WaitAsync(cancellationToken);
        try
        {
            return _loaded.TryGetValue(name, out loaded) ? loaded : await LoadLockedAsync(name, cancellationToken);
        }
        finally
        {
            _changing.Release();
        }
    }

    private async Task<ServedModel> LoadLockedAsync(string name, CancellationToken cancellationToken)
    {
        ServedModel model;
        try
        {
            model = await OpenAsync(name, cancellationToken);
        }
        catch (Exception e) when (e is ModelLoadException or InvalidDataException or ModelUnavailableException)
        {
            _failed[name] = e.Message;
            throw;
        }
        _failed.TryRemove(name, out _);
        if (_loaded.TryGetValue(name, out var old))
        {
            _loaded[name] = model;
            old.Dispose();
        }
        else
        {
            _loaded[name] = model;
        }
        LogLoaded(name, model.Version, model.InstanceCount, model.ExecutionProvider);
        return model;
    }

    /// <returns>false when the model was not loaded.</returns>
    public async Task<bool> UnloadAsync(string name, CancellationToken cancellationToken)
    {
        await _changing.WaitAsync(cancellationToken);
        try
        {
            _failed.TryRemove(name, out _);
            if (!_loaded.TryRemove(name, out var model))
            {
                return false;
            }
            await Task.Run(model.Dispose, CancellationToken.None);
            return true;
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>Every model of the repository, with its state: READY, UNAVAILABLE (with the reason) or not loaded.</summary>
    public IReadOnlyList<ModelStatus> Index()
    {
        var names = repository.Names().Concat(_loaded.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return names.Select(name => _loaded.TryGetValue(name, out var model)
            ? new ModelStatus(name, model.Version, "READY", null)
            : new ModelStatus(name, null, "UNAVAILABLE", _failed.TryGetValue(name, out var reason) ? reason : "not loaded")).ToList();
    }

    public IReadOnlyCollection<ServedModel> Loaded => _loaded.Values.ToList();

    /// <exception cref="InferenceException">NotFound for an unknown model or version, Unavailable for one not loaded.</exception>
    public ServedModel Get(string name, string? version = null)
    {
        if (!_loaded.TryGetValue(name, out var model))
        {
            if (_failed.TryGetValue(name, out var reason))
            {
                throw new InferenceException(InferenceError.Unavailable, $"model '{name}' is not ready: {reason}");
            }
            throw new InferenceException(InferenceError.NotFound, $"model '{name}' is not loaded (loaded: {string.Join(", ", _loaded.Keys.Order(StringComparer.Ordinal))})");
        }
        if (version is not null && version != model.Version)
        {
            throw new InferenceException(InferenceError.NotFound, $"model '{name}' has no version '{version}' loaded (loaded: {model.Version})");
        }
        return model;
    }

    private async Task<ServedModel> OpenAsync(string name, CancellationToken cancellationToken)
    {
        var location = await repository.LocateAsync(name, cancellationToken);
        var config = location.Config;
        var count = config.InstanceGroup.Sum(g => g.Count);
        var threads = sessions.ThreadsPerInstance(count);
        var provider = config.ExecutionProvider ?? (config.InstanceGroup.Any(g => g.Kind == "KIND_GPU") ? "cuda" : null);
        var instances = new List<OnnxModel>();
        try
        {
            await Task.Run(() =>
            {
                for (var i = 0; i < count; i++)
                {
                    instances.Add(sessions.OpenAsIs(name, location.Path, provider, threads));
                }
            }, cancellationToken);
            return new ServedModel(location, instances, options.Value.DefaultMaxQueueSize, metrics);
        }
        catch
        {
            instances.ForEach(i => i.Dispose());
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var model in _loaded.Values)
        {
            model.Dispose();
        }
        _loaded.Clear();
        _changing.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} version {Version} is ready: {Instances} instance(s) on {Provider}")]
    private partial void LogLoaded(string model, string version, int instances, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} failed to load: {Reason}")]
    private partial void LogLoadFailed(string model, string reason);
}
