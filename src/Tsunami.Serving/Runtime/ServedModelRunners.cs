using System.Buffers;
using System.Runtime.InteropServices;
using Tsunami.Inference.Onnx;
using Tsunami.Serving.Tensors;

namespace Tsunami.Serving.Runtime;

/// <summary>
/// The default vision models as models of the serving runtime: the pipeline's calls go through the same sessions,
/// batchers and metrics as the server's and remote clients' requests.
/// </summary>
internal sealed class ServedModelRunners(ModelRuntime runtime) : IModelRunners
{
    public async Task<IModelRunner> OpenAsync(string name, string path, ModelSignature expected, CancellationToken cancellationToken)
    {
        ServedModel served;
        try
        {
            served = await runtime.GetOrLoadAsync(name, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or KeyNotFoundException or Inference.Repository.ModelUnavailableException)
        {
            throw new ModelLoadException($"model '{name}' cannot be served: {e.Message}", e);
        }
        OnnxSessionFactory.CheckSignature(name, served.Instances[0].Session, expected);
        return new ServedModelRunner(runtime, name, served.Location.Path);
    }
}

/// <summary>
/// Runs a served model by name, so that a reload is picked up by the next run and an unloaded model fails only the
/// runs made while it is gone, with the runtime's reason. A full queue makes the pipeline wait its turn, where a
/// remote client is told to retry: a photo's enrichment should not fail because the server is busy.
/// </summary>
internal sealed class ServedModelRunner(ModelRuntime runtime, string name, string path) : IModelRunner
{
    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(500);

    public string Name => name;

    public string Path => path;

    public int BatchLimit => Math.Max(1, runtime.Get(name).Config.MaxBatchSize);

    public IReadOnlyList<OnnxModel> Sessions => runtime.Get(name).Instances;

    public async Task<IModelOutputs> RunAsync(IReadOnlyList<ModelInput> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
    {
        var request = new InferRequest(null,
            [.. inputs.Select(i => new InferTensor(i.Name, "FP32", i.Shape, new FloatBytes(i.Data).Memory))], outputNames, OutputPool: ArrayPool<byte>.Shared, RunOnCaller: true);
        for (var wait = FirstWait; ; wait = wait * 2 < LongestWait ? wait * 2 : LongestWait)
        {
            try
            {
                var response = await runtime.Get(name).InferAsync(request, cancellationToken).ConfigureAwait(false);
                return new Outputs([.. outputNames.Select(o => response.Outputs.First(t => t.Name == o))]);
            }
            catch (InferenceException e) when (e.Error == InferenceError.Overloaded)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private sealed class Outputs(IReadOnlyList<InferTensor> tensors) : IModelOutputs
    {
        public ReadOnlySpan<float> Data(int index) => MemoryMarshal.Cast<byte, float>(tensors[index].Data.Span);

        public long[] Shape(int index) => tensors[index].Shape;

        public void Dispose()
        {
            foreach (var tensor in tensors)
            {
                if (MemoryMarshal.TryGetArray(tensor.Data, out var rented))
                {
                    ArrayPool<byte>.Shared.Return(rented.Array!);
                }
            }
        }
    }
}
