namespace Tsunami.Inference.Onnx;

/// <summary>A model file that is missing, corrupt, or not the model its adapter expects.</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);
