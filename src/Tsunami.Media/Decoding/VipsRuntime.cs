using NetVips;

namespace Tsunami.Media.Decoding;

/// <summary>libvips is process-wide: configure it once, before the first image.</summary>
internal static class VipsRuntime
{
    private static readonly Lock Gate = new();
    private static bool _initialized;

    public static void EnsureInitialized(MediaOptions options)
    {
        lock (Gate)
        {
            if (_initialized)
            {
                return;
            }
            if (!ModuleInitializer.VipsInitialized)
            {
                throw new MediaException($"libvips could not be loaded: {ModuleInitializer.Exception?.Message}");
            }
            // Each photo is touched once: an operation cache only grows memory.
            Cache.Max = 0;
            Cache.MaxFiles = 0;
            NetVips.NetVips.Concurrency = options.VipsThreadsPerOperation;
            // Only the loaders fuzzed for untrusted input (no ImageMagick, no PDF, no SVG).
            NetVips.NetVips.BlockUntrusted = true;
            // Decoder warnings (e.g. a corrupt JPEG) are reported per file by fail-on; keep them off stderr.
            Log.SetLogHandler("VIPS", Enums.LogLevelFlags.Warning | Enums.LogLevelFlags.Info | Enums.LogLevelFlags.Debug, static (_, _, _) => { });
            _initialized = true;
        }
    }
}
