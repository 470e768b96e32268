using Tsunami.Vectors;
using Tsunami.Vectors.CrashWorker;

// Adds vectors to a durable index until killed, printing each key once its add has returned (acknowledged).
// Usage: CrashWorker FOLDER DIMENSIONS; the vector of key k is KeyedVectors.Of(k, DIMENSIONS).
var folder = args[0];
var dimensions = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
using var index = DurableVectorIndex.Open(folder, () => new HnswIndex(dimensions, Metric.L2));
for (long key = index.Count; ; key++)
{
    index.Add(key, KeyedVectors.Of(key, dimensions));
    Console.Out.WriteLine(key);
    Console.Out.Flush();
}
