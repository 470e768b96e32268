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
/// runs made while it is gone, with the runtime's reason. Its requests are in-process ones: a full queue makes the
/// pipeline wait its turn, where a remote client is told to retry. With an instance, runs go to that one alone.
/// </summary>
internal sealed class ServedModelRunner(ModelRuntime runtime, string name, string path, int? instance = null) : IModelRunner
{
    private string _path = path;

    public string Name => name;

    /// <summary>The loaded version's file; while the model is unloaded, the last one it ran.</summary>
    public string Path
    {
        get
        {
            try
            {
                return _path = runtime.Get(name).Location.Path;
            }
            catch (InferenceException)
            {
                return _path;
            }
        }
    }

    public int BatchLimit => Math.Max(1, runtime.Get(name).Config.MaxBatchSize);

    public IReadOnlyList<OnnxModel> Sessions => runtime.Get(name).Instances;

    public IReadOnlyList<IModelRunner> Instances =>
        [.. Enumerable.Range(0, runtime.Get(name).InstanceCount).Select(i => new ServedModelRunner(runtime, name, _path, i))];

    public async Task<IModelOutputs> RunAsync(IReadOnlyList<ModelInput> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
    {
        var request = new InferRequest(null,
            [.. inputs.Select(i => new InferTensor(i.Name, "FP32", i.Shape, new FloatBytes(i.Data).Memory))], outputNames, OutputPool: ArrayPool<byte>.Shared, InProcess: true);
        var model = runtime.Get(name);
        var response = instance is { } only
            ? await model.InferOnAsync(only, request, cancellationToken).ConfigureAwait(false)
            : await model.InferAsync(request, cancellationToken).ConfigureAwait(false);
        return new Outputs(response.Outputs, [.. outputNames.Select(o => response.Outputs.First(t => t.Name == o))]);
    }

    /// <summary>The outputs asked for, in that order; all the response's arrays go back to the pool once.</summary>
    private sealed class Outputs(IReadOnlyList<InferTensor> rented, IReadOnlyList<InferTensor> ordered) : IModelOutputs
    {
        private bool _returned;

        public ReadOnlySpan<float> Data(int index) => MemoryMarshal.Cast<byte, float>(ordered[index].Data.Span);

        public long[] Shape(int index) => ordered[index].Shape;

        public void Dispose()
        {
            if (_returned)
            {
                return;
            }
            _returned = true;
            foreach (var tensor in rented)
            {
                if (MemoryMarshal.TryGetArray(tensor.Data, out var array))
                {
                    ArrayPool<byte>.Shared.Return(array.Array!);
                }
            }
        }
    }
}
