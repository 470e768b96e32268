namespace Tsunami.Inference.Onnx;

/// <summary>One input or output a model adapter relies on: its name, element type and shape (-1: any size).</summary>
public sealed record TensorSpec(string Name, Type ElementType, long[] Shape)
{
    public override string ToString() => $"{Name}: {ElementType.Name}[{string.Join(',', Shape.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
}

/// <summary>The inputs and outputs an adapter expects of its model file.</summary>
public sealed record ModelSignature(IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs)
{
    public override string ToString() => $"inputs ({string.Join("; ", Inputs)}), outputs ({string.Join("; ", Outputs)})";
}
