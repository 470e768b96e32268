namespace Tsunami.Storage;

/// <summary>
/// One writer per data folder: an exclusive lock on writer.lock, released by the OS when the process dies,
/// so recovery after a crash may assume that nothing else is writing.
/// </summary>
public sealed class WriterLock : IDisposable
{
    private readonly FileStream _stream;

    private WriterLock(FileStream stream) => _stream = stream;

    /// <exception cref="StoreBusyException">Another process holds the lock.</exception>
    public static WriterLock Acquire(DataDirectory directory)
    {
        directory.EnsureExists();
        try
        {
            var stream = new FileStream(directory.WriterLockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            using (var writer = new StreamWriter(stream, leaveOpen: true))
            {
                writer.Write(Environment.ProcessId);
            }
            stream.Flush();
            return new WriterLock(stream);
        }
        catch (IOException e)
        {
            var holder = TryReadHolder(directory.WriterLockPath);
            throw new StoreBusyException(
                $"another Tsunami process{(holder is null ? "" : $" (pid {holder})")} is writing to {directory.Root}; wait for it to finish", e);
        }
    }

    public void Dispose() => _stream.Dispose();

    private static string? TryReadHolder(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd().Trim();
            return text.Length > 0 ? text : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
